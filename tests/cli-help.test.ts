import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { buildProgram } from '@kvartal/cli'
import { runCli } from './helpers/processes.ts'

/** Every command path of the CLI, as its tree declares it: `sim`, `journey`, `journey plan`, … */
function commandsOf(c: Command, path: string[] = []): Array<{ path: string[]; options: string[] }> {
  return c.commands.flatMap(s => [
    { path: [...path, s.name()], options: s.options.map(o => o.long!) },
    ...commandsOf(s, [...path, s.name()])
  ])
}

const tree = commandsOf(buildProgram(() => {}))

/** Runs `n` at a time: twenty Node processes at once would only queue on two cores. */
async function inBatches<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(f))))
  return out
}

describe('kvartal --help, --version and usage errors (real processes)', () => {
  it('the tree has every command the README documents', () => {
    expect(tree.map(t => t.path.join(' '))).toEqual(
      expect.arrayContaining([
        'sim',
        'sweep',
        'node',
        'id',
        'verify',
        'faucet',
        'status',
        'dashboard',
        'completion',
        'journey',
        'journey plan',
        'journey book',
        'journey list',
        'journey cancel',
        'channel',
        'channel list',
        'channel read',
        'channel grant',
        'channel revoke',
        'channel pull'
      ])
    )
    expect(tree.find(t => t.path.join(' ') === 'sim')!.options).toEqual(
      expect.arrayContaining(['--transport', '--out', '--slots', '--workers', '--quiet'])
    )
  })

  it('--help on every command and subcommand: exit 0, its usage, each option it takes, an example', { timeout: 120_000 }, async () => {
    const results = await inBatches(tree, 4, async t => ({ t, r: await runCli([...t.path, '--help']) }))
    for (const { t, r } of results) {
      const name = t.path.join(' ')
      expect([r.code, r.stderr], name).toEqual([0, ''])
      expect(r.stdout, name).toContain(`Usage: kvartal ${name}`)
      for (const o of t.options) expect(r.stdout, `${name} ${o}`).toContain(o)
      expect(r.stdout, name).toMatch(/\nExamples?:\n {2}\$ .*kvartal /)
    }
    // the same through `help`, and with no command at all
    const help = await runCli(['journey', 'help', 'book'])
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('Usage: kvartal journey book')])
    const bare = await runCli([])
    expect([bare.code, bare.stdout]).toEqual([0, expect.stringMatching(/Usage: kvartal[\s\S]*journey[\s\S]*Example/)])
  })

  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag])
      expect([r.code, r.stdout]).toEqual([0, `${version}\n`])
    }
  })

  it('kvartal caches the compiled code of what it loads, in the temporary directory, for the next start', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'kvartal-cache-'))
    try {
      const r = await runCli(['--version'], { TMPDIR: tmp, NODE_COMPILE_CACHE: undefined as unknown as string })
      expect(r.code).toBe(0)
      const [versionDir] = await readdir(join(tmp, 'node-compile-cache'))
      expect((await readdir(join(tmp, 'node-compile-cache', versionDir))).length).toBeGreaterThan(10)
    } finally {
      await rm(tmp, { recursive: true, force: true })
    }
  })

  it('bad usage exits 2 with one line naming the flag, the argument or the command', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['verify', '--hlep'],
        'kvartal: --hlep: unknown option of kvartal verify (did you mean --help? `kvartal verify --help` lists them)\n'
      ],
      [
        ['journey', 'plan', '--froom', '1,1'],
        'kvartal: --froom: unknown option of kvartal journey plan (did you mean --from? `kvartal journey plan --help` lists them)\n'
      ],
      [['journey', 'plan', '--from'], 'kvartal: --from: needs a value\n'],
      [['status', '-d'], 'kvartal: --data-dir: needs a value\n'],
      [['jounrey'], 'kvartal: command: "jounrey" is not a command of kvartal (did you mean journey? `kvartal --help` lists them)\n'],
      [['sim', '--workers', '0'], 'kvartal: --workers: must be a whole number of processes, at least 1, got "0"\n'],
      [['sim', '--transport', 'carrier-pigeon'], 'kvartal: --transport: must be memory or tcp\n'],
      [['sim', 'a.yaml', 'b.yaml'], 'kvartal: arguments: kvartal sim takes at most one scenario file\n'],
      [
        ['verify', 'nope', '--config', 'x.yaml'],
        'kvartal: trade-id: give the 64-hex-digit trade id (the correlation of a trade-committed log line)\n'
      ],
      [['node'], 'kvartal: --config: is required: kvartal node --config node.yaml\n'],
      [
        ['journey', 'list', 'extra', '-d', 'x'],
        'kvartal: arguments: kvartal journey list takes no arguments (`kvartal journey list --help` lists them)\n'
      ],
      [['completion', 'fish'], 'kvartal: shell: give bash or zsh: kvartal completion bash, got "fish"\n'],
      [
        ['dashboard', '-d', 'x', '--host', '0.0.0.0'],
        'kvartal: --host: must be a loopback address (127.0.0.1, ::1), got "0.0.0.0": the page shows what the node\'s ' +
          'control token opens; reach it from elsewhere over an SSH tunnel (ssh -L 8080:127.0.0.1:<port> <device>)\n'
      ],
      [['dashboard', '--port', 'http'], 'kvartal: --port: must be a port number from 0 (a free one) to 65535, got "http"\n'],
      // past 65535 it was a raw RangeError from the socket, with its stack, exit 1
      [['dashboard', '-d', 'x', '--port', '70000'], 'kvartal: --port: must be a port number from 0 (a free one) to 65535, got "70000"\n'],
      [['sim', '--dashboard', '--port', '65536'], 'kvartal: --port: must be a port number from 0 (a free one) to 65535, got "65536"\n']
    ]
    const results = await inBatches(cases, 4, async ([args]) => await runCli(args))
    results.forEach((r, i) => {
      expect([r.code, r.stderr], cases[i][0].join(' ')).toEqual([2, cases[i][1]])
    })
    // a missing subcommand shows that command's help, as bad usage
    const bare = await runCli(['journey'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain('Usage: kvartal journey')
  })

  it('the bash completion script completes commands, subcommands and their options', async () => {
    const script = await runCli(['completion', 'bash'])
    expect(script.code).toBe(0)
    const complete = async (...words: string[]): Promise<string[]> => {
      const line =
        `${script.stdout}\nCOMP_WORDS=(kvartal ${words.map(w => `'${w}'`).join(' ')}); ` +
        `COMP_CWORD=${words.length}; _kvartal; printf '%s\\n' "\${COMPREPLY[@]}"`
      const { stdout } = await promisify(execFile)('bash', ['-c', line])
      return stdout.trim().split('\n').sort()
    }
    expect(await complete('jo')).toEqual(['journey'])
    expect(await complete('journey', '')).toEqual(['--help', 'book', 'cancel', 'list', 'plan'])
    expect(await complete('journey', 'plan', '--max')).toEqual(['--max-transfers', '--max-walk'])
    expect(await complete('sim', '--w')).toEqual(['--workers'])
    expect(await complete('-d', 'x', 'channel', 'gr')).toEqual(['grant'])
    expect(await complete('da')).toEqual(['dashboard'])
    expect(await complete('dashboard', '--')).toEqual(['--config', '--data-dir', '--help', '--host', '--port'])
  })
})
