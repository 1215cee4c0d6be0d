import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'devices/test/**/*.test.ts', 'sim/test/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 2-core machines: most files run real processes and libp2p hosts on real-time slots and spend
    // their time waiting (a run used 64 % of two cores with two workers, 549 s); a third worker fills
    // that wait without starving them
    maxWorkers: 3
  }
})
