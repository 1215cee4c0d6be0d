import { spawn, type ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'

export const kvartalBin = fileURLToPath(new URL('../../packages/cli/bin/kvartal.ts', import.meta.url))

export interface NodeProcess {
  proc: ChildProcess
  lines: Array<Record<string, any>>
  /** stdout as written, chunk by chunk (for output that is not one JSON object per line); set by runKvartal */
  stdout?: string[]
  stderr: string[]
  waitFor(predicate: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** writes one line to the process's stdin; set when it was started with `{ stdin: true }` */
  send?(line: string): void
}

/**
 * Runs `kvartal <args>` as a real process on this Node (24), collecting its JSON log lines; `prefix`
 * runs it through another command that execs it (`ip netns exec <ns>`: the process is still the node).
 */
export function runKvartal(args: string[], env: Record<string, string> = {}, options: { prefix?: readonly string[] } = {}): NodeProcess {
  return runScript(kvartalBin, args, env, options)
}

/** The test entry point that runs `kvartal` with the crash-test hook installed (kvartal-crash.ts). */
export const kvartalCrashBin = fileURLToPath(new URL('./kvartal-crash.ts', import.meta.url))

/** Runs `kvartal <args>` as a real process that kills itself with SIGKILL at `point` (a journal write, or after-payment). */
export function runKvartalCrashing(point: string, args: string[], env: Record<string, string> = {}): NodeProcess {
  return runScript(kvartalCrashBin, args, { ...env, KVARTAL_CRASH_AT: point })
}

/** Runs a TypeScript script as a real process on this Node (24), collecting its JSON log lines. */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  options: { stdin?: boolean; prefix?: readonly string[] } = {}
): NodeProcess {
  const command = [...(options.prefix ?? []), process.execPath, script, ...args]
  // the tests' own entry points (a mobility process, the crash hook) load the node's modules as `kvartal` does,
  // and cache their compiled code as it does (bin/kvartal.ts enables it itself: that is what cli-help checks)
  const cache = script === kvartalBin ? {} : { NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') }
  const proc = spawn(command[0], command.slice(1), {
    env: { ...process.env, ...cache, ...env },
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe']
  })
  const lines: Array<Record<string, any>> = []
  const stdout: string[] = []
  const stderr: string[] = []
  const waiters: Array<{ p: (l: Record<string, any>) => boolean; resolve: (l: Record<string, any>) => void }> = []
  let buf = ''
  proc.stdout!.on('data', (chunk: Buffer) => {
    stdout.push(chunk.toString())
    buf += chunk.toString()
    let i: number
    while ((i = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, i)
      buf = buf.slice(i + 1)
      let line: Record<string, any>
      try {
        line = JSON.parse(text)
      } catch {
        line = { text }
      }
      lines.push(line)
      for (const w of [...waiters])
        if (w.p(line)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(line)
        }
    }
  })
  proc.stderr!.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString())
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
    proc.on('exit', (code, signal) => resolve({ code, signal }))
  )
  // a process that dies while the test writes to it: the write fails, the exit tells the test
  proc.stdin?.on('error', () => {})
  return {
    proc,
    lines,
    stdout,
    stderr,
    exited,
    ...(proc.stdin != null
      ? {
          send: (line: string) => {
            proc.stdin!.write(line + '\n')
          }
        }
      : {}),
    async waitFor(p, timeoutMs = 30_000) {
      const found = lines.find(p)
      if (found != null) return found
      return await new Promise((resolve, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new Error(
                `timed out waiting for a log line; stderr: ${stderr.join('').slice(-2000)}; last lines: ${JSON.stringify(lines.slice(-5))}`
              )
            ),
          timeoutMs
        )
        const onExit = (): void => {
          clearTimeout(t)
          reject(new Error(`process exited before the expected log line; stderr: ${stderr.join('').slice(-2000)}`))
        }
        proc.once('exit', onExit)
        waiters.push({
          p,
          resolve: l => {
            clearTimeout(t)
            proc.off('exit', onExit)
            resolve(l)
          }
        })
      })
    },
    async stop() {
      if (proc.exitCode == null && proc.signalCode == null) proc.kill('SIGTERM')
      return await exited
    }
  }
}

/** Runs one `kvartal <args>` command to its end: exit code, stdout and stderr as text. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {}
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = runKvartal(args, env)
  // 'close' comes after the process exited and its output streams ended: all of stdout is in
  const [{ code }] = await Promise.all([p.exited, new Promise(resolve => p.proc.once('close', resolve))])
  return { code, stdout: p.stdout!.join(''), stderr: p.stderr.join('') }
}

export interface TestNodeConfig {
  dir: string
  name: string
  position: number[]
  bootstrap?: string[]
  buy?: number
  sell?: number
  periodSlots?: number
  /** the slot's length (12 s when not given); a settlement test that waits for a period's end takes shorter ones */
  slotSeconds?: number
  /** replaces the local ledger (e.g. `{ adapter: 'iota', iota: { network: rpc.url } }`); periodSlots still applies */
  settlement?: Record<string, unknown>
  /** the node's `mobility:` section, as written */
  mobility?: Record<string, unknown>
}

/** Writes a node config with short slots (12 s unless given), so a real-time trade happens within seconds. */
export async function writeNodeConfig(c: TestNodeConfig): Promise<string> {
  const path = join(c.dir, `${c.name}.yaml`)
  await writeFile(
    path,
    stringify({
      district: 'proc-test',
      dataDir: join(c.dir, c.name),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: c.bootstrap ?? [],
      mdns: false,
      slots: { seconds: c.slotSeconds ?? 12, gateClosureSeconds: 1 },
      strategy: 'fixed-markup',
      limits: { buy: c.buy ?? 900_000_000, sell: c.sell ?? 400_000_000 },
      market: {
        ticksPerSlot: 6,
        tradingWindowSlots: 2,
        horizonSlots: 3,
        republishEverySlots: 1,
        holdSeconds: Math.min(9, (c.slotSeconds ?? 12) - 3)
      },
      position: c.position,
      settlement: { adapter: 'local', periodSlots: c.periodSlots ?? 7200, ...c.settlement },
      ...(c.mobility != null ? { mobility: c.mobility } : {})
    })
  )
  return path
}
