import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeReading, encodeReading, fromHex, signerFromSeed, signGap, signReading, toHex, type MeterReading } from '@kvartal/protocol'
import { Journal, periodMeterCheck } from '../src/index.ts'

// What `kvartal verify` says of a node's meter chain over a trade's period: measured slots, gaps, and
// an edited or missing record. A real level journal in a temporary directory.

let dir: string
let journal: Journal
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-meter-check-'))
  journal = await Journal.open(join(dir, 'j'), { sync: false })
})
afterEach(async () => {
  await journal.close()
  await rm(dir, { recursive: true, force: true })
})

const signer = signerFromSeed(new Uint8Array(32).fill(4))
async function write(records: Array<(prev?: MeterReading) => MeterReading>): Promise<void> {
  let prev: MeterReading | undefined
  for (const make of records) {
    const r = make(prev)
    await journal.putReading(r.slot, toHex(encodeReading(r)))
    prev = r
  }
}

describe('period meter check', () => {
  it("names the meter, counts the readings and the gaps, and says what the trade's slot measured", async () => {
    await write([
      p => signReading(signer, 4, 300, 0, 1_000, p, 'p1:E0044'),
      p => signGap(signer, 5, 2_000, "no sample at the slot's end", p),
      p => signReading(signer, 6, 0, 50, 3_000, p, 'p1:E0044'),
      p => signReading(signer, 7, 10, 0, 4_000, p, 'p1:E0044')
    ])
    const c = await periodMeterCheck(journal, 'd/1', 4, 5)
    expect(c).toMatchObject({ ok: true, readings: 3, gaps: [{ slot: 5, why: "no sample at the slot's end" }], tradeSlot: { gap: true } })
    expect(c.detail).toBe(
      'period d/1: 3 slots measured by p1:E0044, 1 gaps (slots 5: no meter reading, ' +
        'billed by the grid operator at grid prices); every signature and link holds'
    )
    expect((await periodMeterCheck(journal, 'd/1', 4, 6)).tradeSlot).toEqual({
      gap: false,
      detail: 'slot 6 measured by p1:E0044: 0 Wh imported, 50 Wh exported (meter time 1970-01-01T00:00:03.000Z)'
    })
  })

  it('fails on a gap turned into a reading afterwards, and on a record that is missing', async () => {
    await write([
      p => signReading(signer, 0, 300, 0, 1_000, p, 'm'),
      p => signGap(signer, 1, 2_000, 'no meter', p),
      p => signReading(signer, 2, 0, 0, 3_000, p, 'm'),
      p => signReading(signer, 3, 0, 0, 4_000, p, 'm')
    ])
    // a copy that lost its last record
    const lost = await Journal.open(join(dir, 'k'), { sync: false })
    try {
      for (const s of [0, 1, 2]) await lost.putReading(s, (await journal.reading(s))!)
      expect(await periodMeterCheck(lost, 'd/0', 4, 1)).toMatchObject({
        ok: false,
        detail: expect.stringContaining('do not cover slots 0–3')
      })
    } finally {
      await lost.close()
    }
    // the gap turned into a reading
    const gap = decodeReading(fromHex((await journal.reading(1))!))
    await journal.putReading(1, toHex(encodeReading({ ...gap, gap: false, importWh: 250, source: 'm' })))
    expect(await periodMeterCheck(journal, 'd/0', 4, 1)).toMatchObject({ ok: false, detail: expect.stringContaining('reading 1 (slot 1)') })
  })
})
