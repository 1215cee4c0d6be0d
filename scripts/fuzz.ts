/**
 * `npm run fuzz [-- --runs 100000] [--seed <n>] [file filters…]`: every property file (`*.fuzz.test.ts`)
 * at nightly size, through vitest.fuzz.config.ts. `--runs` is FC_NUM_RUNS, the inputs per property (a
 * property whose inputs are whole batches runs fewer, as its `cost` says: protocol/testing/arbitraries.ts);
 * `--seed` is FC_SEED, which replays a run. `npm test` runs the same files with a few hundred inputs each.
 *
 * Prints vitest's report, then one JSON line: runs, seed, files, passed, failed, wallS. Exits as vitest did.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'

const root = join(import.meta.dirname, '..')
const args = process.argv.slice(2)
let runs = process.env.FC_NUM_RUNS ?? '100000'
let seed = process.env.FC_SEED
const filters: string[] = []
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--runs') runs = args[++i] ?? ''
  else if (a === '--seed') seed = args[++i] ?? ''
  else if (a === '--help' || a === '-h') {
    console.log('usage: npm run fuzz [-- --runs <inputs per property, default 100000>] [--seed <n>] [file filters…]')
    process.exit(0)
  } else if (a.startsWith('-')) {
    // vitest would refuse it with a stack trace; a file filter never starts with a dash
    console.error(`npm run fuzz: unknown option ${JSON.stringify(a)} (it takes --runs <n>, --seed <n> and file filters)`)
    process.exit(2)
  } else filters.push(a)
}
if (!/^[1-9]\d*$/.test(runs)) {
  console.error(`npm run fuzz: --runs must be a positive whole number, got ${JSON.stringify(runs)}`)
  process.exit(2)
}
if (seed != null && !/^-?\d+$/.test(seed)) {
  console.error(`npm run fuzz: --seed must be a whole number, got ${JSON.stringify(seed)}`)
  process.exit(2)
}

const started = Date.now()
const child = spawn(
  process.execPath,
  [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--config',
    join(root, 'vitest.fuzz.config.ts'),
    '--reporter',
    'verbose',
    ...filters
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FC_NUM_RUNS: runs, ...(seed != null ? { FC_SEED: seed } : {}) }
  }
)
let out = ''
child.stdout.on('data', (b: Buffer) => {
  process.stdout.write(b)
  out += b.toString()
})
child.on('close', code => {
  // vitest's summary lines: " Test Files  9 passed (9)", "      Tests  61 passed | 1 failed (62)"
  const plain = stripVTControlCharacters(out)
  const count = (line: string, what: string): number =>
    Number(new RegExp(`(\\d+) ${what}`).exec(plain.split('\n').find(l => l.trim().startsWith(line)) ?? '')?.[1] ?? 0)
  console.log(
    JSON.stringify({
      runs: Number(runs),
      seed: seed != null ? Number(seed) : 'default (protocol/testing/arbitraries.ts: FUZZ_SEED)',
      files: count('Test Files', 'passed') + count('Test Files', 'failed'),
      passed: count('Tests', 'passed'),
      failed: count('Tests', 'failed'),
      wallS: Math.round((Date.now() - started) / 100) / 10
    })
  )
  process.exit(code ?? 1)
})
