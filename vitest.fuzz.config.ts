import { defineConfig } from 'vitest/config'

/**
 * `npm run fuzz` (scripts/fuzz.ts): the property files alone (`*.fuzz.test.ts`), at nightly size. The same
 * files run in `npm test` with a few hundred inputs per property; here `FC_NUM_RUNS` (100,000 unless the
 * script is told otherwise) sets the inputs per property (protocol/testing/arbitraries.ts: `runsFor`), and
 * `FC_SEED` still fixes them. No per-test timeout: a property at 100,000 inputs runs for minutes.
 */
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.fuzz.test.ts', 'devices/test/**/*.fuzz.test.ts', 'sim/test/**/*.fuzz.test.ts'],
    env: { FC_NUM_RUNS: process.env.FC_NUM_RUNS ?? '100000' },
    testTimeout: 0,
    hookTimeout: 60_000,
    // 2-core machines: one file per core; each property is CPU-bound
    maxWorkers: 2,
    isolate: false
  }
})
