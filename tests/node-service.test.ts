import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { NodeRunningError, initCommand, keysExport, keysRotate, keysShow } from '@kvartal/cli'
import { kvartalBin, runCli, runKvartal, type NodeProcess } from './helpers/processes.ts'
import { until } from './helpers/wait.ts'

/**
 * An operator's node: `kvartal init` writes a config that `kvartal node` starts from, unchanged; under
 * systemd's notify protocol (a real Unix datagram socket as NOTIFY_SOCKET, bound by a helper process:
 * Node has none) it says READY=1 once joined, WATCHDOG=1 while it runs and STOPPING=1 on SIGTERM;
 * `kvartal keys` refuses to write while it runs, and rotates once it stopped. And the unit file is
 * one systemd accepts.
 */

const which = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
const hasNotify = which('systemd-notify')
const python = ['/usr/bin/python3', 'python3'].find(p => (p.startsWith('/') ? existsSync(p) : which(p)))
if (!hasNotify) console.warn('node-service.test.ts: systemd-notify is not installed (apt install systemd): the notify test is skipped')
if (python == null) console.warn('node-service.test.ts: no python3 to bind the notify socket: the notify test is skipped')

let dir: string
let config: string
const procs: Array<NodeProcess | ChildProcess> = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-service-'))
})
afterAll(async () => {
  for (const p of procs)
    if ('stop' in p) await p.stop()
    else p.kill()
  await rm(dir, { recursive: true, force: true })
})

/** What `f` writes on stdout. */
async function captured(f: () => Promise<unknown>): Promise<string> {
  const out: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation(t => {
    out.push(String(t))
    return true
  })
  try {
    await f()
  } finally {
    vi.restoreAllMocks()
  }
  return out.join('')
}

/** A Unix datagram socket at `path`: every datagram it receives, in order. */
async function notifySocket(path: string): Promise<{ messages: string[] }> {
  const script = [
    'import socket,json,sys',
    's=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)',
    's.bind(sys.argv[1])',
    'print("bound",flush=True)',
    'while True:',
    '  print(json.dumps(s.recv(65536).decode()),flush=True)',
    ''
  ].join('\n')
  const p = spawn(python!, ['-u', '-c', script, path], { stdio: ['ignore', 'pipe', 'inherit'] })
  procs.push(p)
  const messages: string[] = []
  let bound = false
  let buf = ''
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let i: number
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (l === 'bound') bound = true
      else messages.push(JSON.parse(l) as string)
    }
  })
  await until(() => bound, 'the notify socket to be bound', 30_000)
  return { messages }
}

describe.skipIf(!hasNotify || python == null)('kvartal init → kvartal node under systemd notify → kvartal keys', () => {
  it('starts from the config init wrote; READY=1, then WATCHDOG=1; keys refuse to write while it runs; STOPPING=1; then rotate', {
    timeout: 150_000
  }, async () => {
    // in this process, but against the node's real process: only the node and the socket need their own
    const quiet = (): void => {
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    }
    quiet()
    await initCommand({ dir, district: 'service-test', listen: ['/ip4/127.0.0.1/tcp/0'], meter: 'none' })
    vi.restoreAllMocks()
    config = join(dir, 'node.yaml')
    const socket = join(dir, 'notify.sock')
    const { messages } = await notifySocket(socket)
    const node = runKvartal(['node', '--config', config], { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '400000' })
    procs.push(node)
    const listening = await node.waitFor(l => l.event === 'listening', 60_000)
    await until(() => messages.includes('READY=1'), 'READY=1', 30_000)
    await until(() => messages.lastIndexOf('WATCHDOG=1') > messages.indexOf('READY=1'), 'WATCHDOG=1 after READY=1', 30_000)

    // who it is, asked of the running node; writing commands refuse with a typed error, changing nothing
    const shown = await captured(async () => await keysShow({ config, json: true }))
    expect(JSON.parse(shown)).toMatchObject({ peerId: listening.peerId, iotaAddress: listening.iotaAddress, running: true })
    for (const write of [
      async () => await keysRotate({ config }),
      async () => await initCommand({ dir, force: true }),
      async () => await keysExport({ config, out: join(dir, 'k.json') })
    ]) {
      const err = await write().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(NodeRunningError)
      expect((err as Error).message).toMatch(/^a node is running on .*: stop it before /)
    }
    expect(existsSync(join(dir, 'k.json'))).toBe(false)
    // the CLI says so in one line, exit 1
    const cli = await runCli(['keys', 'rotate', '--config', config])
    expect([cli.code, cli.stderr]).toEqual([1, expect.stringMatching(/^kvartal: a node is running on .*control socket.*\n$/)])

    const before = messages.length
    expect(await node.stop()).toEqual({ code: 0, signal: null })
    await until(() => messages.slice(before).includes('STOPPING=1'), 'STOPPING=1', 30_000)

    // stopped after a few seconds of 15-minute slots: nothing read, traded or settled, so it may rotate
    const rotated = await captured(async () => await keysRotate({ config }))
    expect(rotated).toContain(`${listening.peerId as string} -> `)
    const after = JSON.parse(await captured(async () => await keysShow({ config, json: true })))
    expect(after).toMatchObject({ running: false, previousKeys: [expect.stringContaining('previous-')] })
    expect(after.peerId).not.toBe(listening.peerId)
  })
})

describe.skipIf(!existsSync('/usr/bin/systemd-analyze'))('deploy/systemd/kvartal-node.service', () => {
  it('systemd-analyze verify accepts it, without a warning, with ExecStart pointed at this checkout', { timeout: 30_000 }, async () => {
    const unit = await readFile(new URL('../deploy/systemd/kvartal-node.service', import.meta.url), 'utf8')
    const exec = /^ExecStart=\/opt\/kvartal\/node_modules\/\.bin\/node \/opt\/kvartal\/packages\/cli\/bin\/kvartal\.ts /m
    expect(unit).toMatch(exec)
    for (const d of [
      'Type=notify',
      'NotifyAccess=all',
      'WatchdogSec=',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'NoNewPrivileges=yes',
      'StateDirectory=kvartal',
      'CacheDirectory=kvartal',
      'Environment=NODE_COMPILE_CACHE=/var/cache/kvartal',
      'SystemCallFilter=@system-service',
      'Restart=on-failure'
    ])
      expect(unit).toContain(d)
    const copy = join(dir, 'kvartal-node.service')
    await writeFile(copy, unit.replace(exec, `ExecStart=${process.execPath} ${kvartalBin} `))
    const r = await promisify(execFile)('/usr/bin/systemd-analyze', ['verify', copy]).catch(
      (e: { code: number; stdout: string; stderr: string }) => e
    )
    expect(['code' in r ? r.code : 0, r.stderr]).toEqual([0, ''])
  })
})
