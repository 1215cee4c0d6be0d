import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { missingHeapFlags, simBufferPoolSize, simHeapFlags, useSimBufferPool } from '../src/sim-memory.ts'

const simMemory = new URL('../src/sim-memory.ts', import.meta.url).href

describe('memory settings of a simulation process', () => {
  it("bound the young generation and the old generation's growth", () => {
    expect(simHeapFlags).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=75'])
  })

  it("are missing unless given (node's command line, NODE_OPTIONS); a user's own value counts as given", () => {
    expect(missingHeapFlags([], '')).toEqual([...simHeapFlags])
    expect(missingHeapFlags(['--max-semi-space-size=32'], '')).toEqual(['--heap-growing-percent=75'])
    expect(missingHeapFlags(['--heap_growing_percent=50'], '--max-semi-space-size=8')).toEqual([])
  })

  it('a process that asks for them runs on with them, once (the same pid), and V8 applies them', () => {
    // what bin/kvartal.ts does for `kvartal sim`: re-execute under the flags, then run
    const script = `
      import { getHeapSpaceStatistics } from 'node:v8'
      const pid = process.env.FIRST_PID ?? String(process.pid)
      process.env.FIRST_PID = pid
      process.env.RUNS = String(Number(process.env.RUNS ?? 0) + 1)
      const { execWithHeapFlags } = await import(${JSON.stringify(simMemory)})
      execWithHeapFlags()
      // allocate enough short-lived garbage that V8 would grow a default young generation past 32 MiB
      let keep = []
      for (let i = 0; i < 2e6; i++) { keep.push({ i, a: [i] }); if (keep.length > 3e5) keep = [] }
      const young = getHeapSpaceStatistics().find(s => s.space_name === 'new_space').space_size
      const samePid = pid === String(process.pid)
      console.log(JSON.stringify({ execArgv: process.execArgv, runs: process.env.RUNS, samePid, youngMiB: young / 2 ** 20 }))
    `
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
    )
    expect(out.execArgv).toEqual(expect.arrayContaining([...simHeapFlags]))
    // the exec'd process sees RUNS=1 from the first: it ran the script's top twice, and no more
    expect(out.runs).toBe('2')
    expect(out.samePid).toBe(true)
    expect(out.youngMiB).toBeLessThanOrEqual(48)
  })

  it('small Buffers come from 8 KiB slabs, so that one kept does not keep 64 KiB', () => {
    const before = Buffer.poolSize
    try {
      useSimBufferPool()
      // the slab in use is used up first; then every small Buffer is a view into an 8 KiB one
      for (let i = 0; i < 64; i++) Buffer.allocUnsafe(1024)
      const small = Buffer.from('a peer id')
      expect(small.buffer.byteLength).toBe(simBufferPoolSize)
      expect(simBufferPoolSize).toBe(8 * 1024)
    } finally {
      Buffer.poolSize = before
    }
  })
})
