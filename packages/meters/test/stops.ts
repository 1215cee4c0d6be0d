import { afterEach } from 'vitest'

/**
 * What a test started, stopped after it: a test pushes a stop for each server, client, meter or directory it
 * starts, and after the test they run in reverse order. A test file calls `stopAfterEachTest()` once, at its
 * top (a hook registered while this module loads would belong only to the first file that loads it: the unit
 * tests share their modules, see vitest.config.ts).
 */
export const stops: Array<() => Promise<unknown>> = []

export function stopAfterEachTest(): void {
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s()
  })
}
