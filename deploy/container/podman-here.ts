/**
 * What the image test (tests/deploy-image.test.ts) needs from this host, found by trying: podman and its
 * tools installed (install-podman.sh under the tests' apt lock), and a way for podman to start a container.
 *
 * On an ordinary root host podman's defaults work. In a sandbox without CAP_SYS_RESOURCE they do not:
 * podman asks the runtime for RLIMIT_NOFILE 1048576, above the hard limit, and
 * `crun: setrlimit RLIMIT_NOFILE: Operation not permitted`; with `--ulimit nofile=<hard>` it asks for
 * RLIMIT_NPROC 1048576 instead. With `default_ulimits = []` in containers.conf podman asks for no rlimits
 * (the container keeps podman's own), and where crun then refuses a cgroup v1 host with a controller left on
 * cgroup v2 (`cgroups in hybrid mode not supported`), runc does not. `podmanRuns` tries the three in turn.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Ran {
  code: number
  out: string
  err: string
}

/** Runs a command; never rejects: a failure to start is code -1 with the reason in `err`. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number; cwd?: string } = {}): Promise<Ran> {
  return new Promise(resolve => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeout ?? 60_000, ...opts }, (e, out, err) => {
      const code = e == null ? 0 : typeof e.code === 'number' ? e.code : -1
      resolve({ code, out: String(out), err: e != null && code === -1 ? `${e.message} ${String(err)}` : String(err) })
    })
  })
}

/** The last lines of a failed command's output, for a test's message. */
export const tail = (r: Ran, lines = 12): string =>
  `${r.out}\n${r.err}`
    .split('\n')
    .filter(l => l.trim() !== '' && !/systemd connection|failed to connect to syslog/.test(l))
    .slice(-lines)
    .join('\n')

const TOOLS = ['podman', 'runc', 'debootstrap', 'podman-compose']

/** Installs podman, runc, debootstrap and podman-compose where missing; undefined when all are there, else why not. */
export async function installPodman(): Promise<string | undefined> {
  const missing = async (): Promise<string[]> => {
    const out: string[] = []
    for (const t of TOOLS) if ((await run('sh', ['-c', `command -v ${t}`])).code !== 0) out.push(t)
    return out
  }
  const before = await missing()
  if (before.length === 0) return undefined
  if (process.env.KVARTAL_NO_APT === '1') return `${before.join(', ')} missing and KVARTAL_NO_APT=1 forbids installing them`
  // the lock every apt-get of the tests shares (sim/testing/browser.ts): one installs while the others wait
  const script = fileURLToPath(new URL('./install-podman.sh', import.meta.url))
  const r = await run('flock', ['-w', '280', join(tmpdir(), 'kvartal-apt.lock'), 'nice', '-n', '19', 'bash', script], {
    timeout: 600_000
  })
  const after = await missing()
  return after.length === 0 ? undefined : `${after.join(', ')} missing; install-podman.sh: ${tail(r, 4) || `exit ${r.code}`}`
}

export interface Runtime {
  /** the environment podman needs here (CONTAINERS_CONF where the defaults did not work) */
  env: NodeJS.ProcessEnv
  /** what was tried, each with its error, before the one that works */
  tried: string[]
}

/**
 * Starts a throwaway container of `image` with podman's defaults, then with a containers.conf (written
 * in `dir`) that sets no rlimits, then with that and runc; the first that starts it wins. Rejects with
 * every error when none does.
 */
export async function podmanRuns(image: string, dir: string): Promise<Runtime> {
  const conf = join(dir, 'containers.conf')
  const ways: Array<{ name: string; text?: string }> = [
    { name: "podman's defaults" },
    { name: 'containers.conf: default_ulimits = []', text: '[containers]\ndefault_ulimits = []\n' },
    {
      name: 'containers.conf: default_ulimits = [], runtime = "runc"',
      text: '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n'
    }
  ]
  const tried: string[] = []
  for (const w of ways) {
    if (w.text != null) await writeFile(conf, w.text)
    const env = w.text == null ? { ...process.env } : { ...process.env, CONTAINERS_CONF: conf }
    const r = await run('podman', ['run', '--rm', '--network', 'none', image, 'true'], { env, timeout: 120_000 })
    if (r.code === 0) return { env, tried }
    tried.push(`${w.name}: ${tail(r, 2)}`)
  }
  throw new Error(`podman cannot start a container here:\n${tried.join('\n')}`)
}

/** A CA bundle to pass to the build as the secret `ca` (a proxy that intercepts TLS), if this host has one. */
export function caBundle(): string | undefined {
  return [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find(
    (p): p is string => p != null && p !== '' && existsSync(p)
  )
}
