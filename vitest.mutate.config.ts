import { defineConfig } from 'vitest/config'

// The vitest configuration Stryker uses (stryker.config.mjs): only the mutated package's own tests.
const pkg = process.env.KVARTAL_MUTATE
if (pkg == null || !/^[a-z-]+$/.test(pkg)) throw new Error(`KVARTAL_MUTATE must name a package, got ${pkg}`)

export default defineConfig({
  test: {
    include: [`packages/${pkg}/test/**/*.test.ts`],
    // Stryker re-runs the covering tests once per mutant and switches mutants at run time, so the modules under test
    // need not be re-evaluated for every run: without isolation a mutant costs its tests, not a fresh module graph.
    isolate: false,
    // the seeded property tests run once per mutant that reaches them: 50 runs each instead of 100–300 (FC_SEED
    // still fixes them); a mutant only the 51st to 300th input would catch survives here and shows in the report
    // the planner's brute-force reference likewise compares the first seed of each set only (about 2 min for all)
    env: { FC_MAX_RUNS: '50', KVARTAL_REFERENCE_SEEDS: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
