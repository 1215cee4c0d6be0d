import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Journal } from '../src/index.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-counter-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('Journal.nextCounter', () => {
  it(
    'never hands out one number twice, even to callers at the same ' + 'instant (a sequence number peers would refuse as a replay)',
    async () => {
      const j = await Journal.open(join(dir, 'j'), { sync: false })
      // a tick's announcement and one made after a sale, at the same simulated instant
      const at = 1_000
      const got = await Promise.all([
        j.nextCounter('announce-offer', at),
        j.nextCounter('announce-offer', at),
        j.nextCounter('announce-offer', at)
      ])
      expect(new Set(got).size).toBe(3)
      expect([...got].sort((a, b) => a - b)).toEqual([1_000, 1_001, 1_002])
      // another name counts on its own, and the numbers survive a reopen
      expect(await j.nextCounter('announce-bid', at)).toBe(1_000)
      await j.close()
      const again = await Journal.open(join(dir, 'j'), { sync: false })
      expect(await again.nextCounter('announce-offer', at)).toBe(1_003)
      await again.close()
    }
  )
})
