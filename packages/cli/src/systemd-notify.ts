import { execFile } from 'node:child_process'

/**
 * The node's side of systemd's notify protocol (Type=notify, WatchdogSec=; deploy/systemd). Node has no
 * Unix datagram sockets, so it runs `systemd-notify` (the unit sets NotifyAccess=all, which lets a child
 * speak for the service; systemd-notify waits until systemd has the message, so none is lost):
 * READY=1 once the node has joined, WATCHDOG=1 every half WATCHDOG_USEC from the event loop (a loop
 * that hangs stops the pings and systemd restarts the node), STOPPING=1 on shutdown.
 * Without NOTIFY_SOCKET (not under systemd) every call does nothing.
 */
export interface SystemdNotifier {
  /** the node has joined the district and serves its control API */
  ready(status?: string): void
  /** shutdown began: stops the watchdog pings; resolves once systemd has been told (or could not be) */
  stopping(): Promise<void>
}

export interface SystemdNotifyOptions {
  /** the environment systemd gave the service (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID) */
  env?: Record<string, string | undefined>
  /** the program to run (default: systemd-notify from PATH) */
  program?: string
  /** told once when systemd-notify cannot be run or fails */
  warn?: (fields: Record<string, unknown>) => void
}

/** Half the watchdog interval systemd asks for, in ms; undefined without a watchdog for this process. */
export function watchdogIntervalMs(env: Record<string, string | undefined>, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC)
  if (env.WATCHDOG_USEC == null || !Number.isSafeInteger(usec) || usec <= 0) return undefined
  // the watchdog is meant for the process systemd names, if it names one
  if (env.WATCHDOG_PID != null && env.WATCHDOG_PID !== String(pid)) return undefined
  return Math.max(1, Math.floor(usec / 2_000))
}

export function systemdNotifier(o: SystemdNotifyOptions = {}): SystemdNotifier {
  const env = o.env ?? process.env
  if (env.NOTIFY_SOCKET == null || env.NOTIFY_SOCKET === '') return { ready: () => {}, stopping: async () => {} }
  const program = o.program ?? 'systemd-notify'
  const childEnv = { ...process.env, ...env }
  let warned = false
  const send = async (args: string[]): Promise<void> =>
    await new Promise<void>(resolve => {
      execFile(program, args, { env: childEnv, timeout: 10_000 }, (err, _out, stderr) => {
        if (err != null && !warned) {
          warned = true
          const why =
            (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed (apt install systemd)' : stderr.trim() || err.message
          o.warn?.({
            event: 'systemd-notify-failed',
            detail: `${program} ${args.join(' ')}: ${why}; systemd may consider the node not started or hung`
          })
        }
        resolve()
      })
    })
  let timer: NodeJS.Timeout | undefined
  let inFlight = false
  const interval = watchdogIntervalMs(env)
  if (interval != null) {
    const ping = (): void => {
      // a ping still on its way is enough; never pile them up
      if (inFlight) return
      inFlight = true
      void send(['WATCHDOG=1']).finally(() => {
        inFlight = false
      })
    }
    ping()
    timer = setInterval(ping, interval)
    timer.unref()
  }
  return {
    ready: status => {
      void send(['--ready', ...(status != null ? [`--status=${status}`] : [])])
    },
    stopping: async () => {
      if (timer != null) clearInterval(timer)
      timer = undefined
      await send(['STOPPING=1'])
    }
  }
}
