import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 2-core machines: most files of `integration` run real processes and libp2p hosts on real-time slots and
    // spend their time waiting (a run used 64 % of two cores with two workers, 549 s); more workers fill that
    // wait: with the soak on its own after them, 507 s with three and 461 s with four (8 December)
    maxWorkers: 4,
    // test files and sources load through Node's own loader (Node 24 strips the types, as it does for `kvartal`),
    // not Vite's transform: nothing here needs Vite's (no vi.mock, no import.meta.vitest). The whole run: 497 →
    // 461 s and 852 → 785 s of CPU (unit alone 48.7 → 42.6 s), 8 December
    experimental: { viteModuleRunner: false },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'devices/test/**/*.test.ts'],
          // the packages' own tests share one module graph per worker instead of loading it again for every
          // file: 117 files took 155 s of CPU isolated, 50 s not (import alone 98 → 16 s), of a whole run
          // that must fit 10 minutes on 2 cores. Nothing in them mocks modules or changes globals; a test
          // that needs a fresh module graph belongs in `integration`
          isolate: false
        }
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['sim/test/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['tests/soak.test.ts'],
          // not isolated either: these files spend most of their time waiting on real processes and real-time
          // slots, and loading the module graph again for each of 64 files cost 148 s of CPU (24 s shared).
          // None of them mocks a module or changes a global; whatever they start they stop in afterAll/afterEach
          isolate: false
        }
      },
      {
        extends: true,
        test: {
          name: 'soak',
          include: ['tests/soak.test.ts'],
          // last, on a machine of its own: the soak's 13 processes take both cores. Beside the other files (and
          // the partitioned soak, 9 processes) it took 376–413 s instead of about 85, missed its bookings, and
          // starved other files' processes past their timeouts (a node that never printed `listening` in 30 s)
          sequence: { groupOrder: 1 }
        }
      }
    ]
  }
})
