import { describe, expect, it } from 'vitest'
import { systemdNotifier, watchdogIntervalMs } from '../src/systemd-notify.ts'

describe('systemd notify (the real socket: tests/node-service.test.ts)', () => {
  it('pings at half of WATCHDOG_USEC, only for the process systemd names', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000' })).toBe(30_000)
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: String(process.pid) })).toBe(30_000)
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '1' }, 2)).toBeUndefined()
    expect(watchdogIntervalMs({})).toBeUndefined()
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' })).toBeUndefined()
  })

  it('without systemd-notify: says so once, and the node goes on', async () => {
    const warned: Array<Record<string, unknown>> = []
    const n = systemdNotifier({
      env: { NOTIFY_SOCKET: '/nonexistent/notify' },
      program: '/nonexistent/systemd-notify',
      warn: f => warned.push(f)
    })
    n.ready()
    await n.stopping()
    expect(warned).toEqual([expect.objectContaining({ event: 'systemd-notify-failed', detail: expect.stringContaining('not installed') })])
  })

  it('outside systemd (no NOTIFY_SOCKET) runs nothing', async () => {
    const warned: unknown[] = []
    const n = systemdNotifier({ env: {}, program: '/nonexistent/systemd-notify', warn: f => warned.push(f) })
    n.ready()
    await n.stopping()
    expect(warned).toEqual([])
  })
})
