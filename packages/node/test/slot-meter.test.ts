import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeReading, fromHex, slotEnd, slotStart, verifyReadingChain, type MeterReading, type NodeEvent } from '@kvartal/protocol'
import { identityFromSeed, type NodeIdentity } from '@kvartal/mesh'
import type { Meter, MeterSample, MeterSink } from '@kvartal/meters'
import { Journal, PeriodSettler, SlotMeter, type KvartalNodeOptions } from '../src/index.ts'

// Readings are what the meter reported at slot boundaries, stamped with the meter's time; a slot the
// meter did not report is a gap in the chain, never a reading made up from a model. Real level
// journals in temporary directories; the meter is a source the test pushes samples into.

const slots = { epochMs: 1_000_000_000, slotMs: 900_000, gateClosureMs: 60_000 }
const TOLERANCE = 30_000

/** A meter whose samples the test hands it, as a driver hands what it parsed. */
class PushedMeter implements Meter {
  readonly id = 'test:meter'
  readonly toleranceMs = TOLERANCE
  sink: MeterSink | undefined
  async start(sink: MeterSink): Promise<void> {
    this.sink = sink
  }
  async stop(): Promise<void> {
    this.sink = undefined
  }
  push(s: Partial<MeterSample> & { at: number; importWh: number; exportWh: number }): void {
    this.sink!.sample({ meterId: 'E0044', ...s })
  }
}

let dir: string
const journals: Journal[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-slot-meter-'))
})
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close().catch(() => {})
  await rm(dir, { recursive: true, force: true })
})

interface Rig {
  identity: NodeIdentity
  journal: Journal
  meter: SlotMeter
  settler: PeriodSettler
  events: Array<Omit<NodeEvent, 'node' | 'at'>>
}

async function rig(source: Meter | undefined, name = 'j'): Promise<Rig> {
  const identity = await identityFromSeed(new Uint8Array(32).fill(61))
  const journal = await Journal.open(join(dir, name), { sync: false })
  journals.push(journal)
  const events: Rig['events'] = []
  const emit = (e: Rig['events'][number]): void => {
    events.push(e)
  }
  const options = {
    district: 'd',
    slots,
    tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
    profile: { buyLimit: 0, sellLimit: 0, position: () => 5_000 },
    settlement: {
      periodSlots: 4,
      create: () => {
        throw new Error('not used')
      }
    }
  } as unknown as KvartalNodeOptions
  const meter = new SlotMeter({ journal, slots, emit, meter: source })
  await meter.start()
  return {
    identity,
    journal,
    meter,
    events,
    settler: new PeriodSettler({ journal, identity, options, emit, signal: new AbortController().signal, meter })
  }
}

async function chain(j: Journal, from: number, to: number): Promise<MeterReading[]> {
  return (await j.readings(from, to)).map(h => decodeReading(fromHex(h)))
}

const b = (slot: number, afterMs = 0): number => slotStart(slots, slot) + afterMs

describe('slot meter: readings are measured, a missing one is a gap', () => {
  it("signs the difference of the registers at the slot's boundaries, with the meter's timestamp and identity", async () => {
    const m = new PushedMeter()
    const r = await rig(m)
    m.push({ at: b(0, -1_000), importWh: 999, exportWh: 0 }) // before the boundary: stands for nothing
    m.push({ at: b(0, 1_000), importWh: 1_000, exportWh: 50 })
    m.push({ at: b(0, 2_000), importWh: 1_001, exportWh: 50 }) // the first sample after a boundary counts, not later ones
    m.push({ at: b(1, 2_500), importWh: 1_400, exportWh: 50 })
    m.push({ at: b(2, 900), importWh: 1_400, exportWh: 1_250 })
    await r.settler.readMeters(slotEnd(slots, 1) + 60_000, 0)
    const c = await chain(r.journal, 0, 9)
    expect(c.map(x => [x.slot, x.importWh, x.exportWh, x.at, x.source, x.gap ?? false])).toEqual([
      [0, 400, 0, b(1, 2_500), 'E0044', false],
      [1, 0, 1_200, b(2, 900), 'E0044', false]
    ])
    expect(verifyReadingChain(c)).toEqual({ ok: true, gaps: [] })
    expect(r.meter.status()).toMatchObject({ meter: 'test:meter', samples: 5, readings: 2, gaps: 0 })
  })

  it("waits the meter's grace for a closing sample, then records a gap; the chain stays whole and shows it", async () => {
    const m = new PushedMeter()
    const r = await rig(m)
    m.push({ at: b(0), importWh: 0, exportWh: 0 })
    m.push({ at: b(1), importWh: 100, exportWh: 0 })
    // the meter stops reporting: no sample at boundaries 2 and 3
    await r.settler.readMeters(slotEnd(slots, 1) + 1_000, 0)
    expect((await chain(r.journal, 0, 9)).map(x => x.slot)).toEqual([0]) // slot 1's closing sample may still come
    await r.settler.readMeters(slotEnd(slots, 2) + r.meter.graceMs, 0)
    m.push({ at: b(3, 10), importWh: 900, exportWh: 0 })
    m.push({ at: b(4, 10), importWh: 1_000, exportWh: 0 })
    await r.settler.readMeters(slotEnd(slots, 3) + r.meter.graceMs, 0)
    const c = await chain(r.journal, 0, 9)
    expect(c.map(x => [x.slot, x.gap ?? false, x.importWh, x.source])).toEqual([
      [0, false, 100, 'E0044'],
      [1, true, 0, "no sample at the slot's end"],
      [2, true, 0, 'no sample at either end of the slot'],
      [3, false, 100, 'E0044']
    ])
    expect(verifyReadingChain(c)).toEqual({ ok: true, gaps: [1, 2] })
    expect(r.events.filter(e => e.type === 'meter-gap').map(e => e.slot)).toEqual([1, 2])
    expect(r.meter.status()).toMatchObject({ readings: 2, gaps: 2, lastGap: { slot: 2 } })
  })

  it('a node that was down at a boundary records the slots it could not see as gaps, not as back-filled readings', async () => {
    const m = new PushedMeter()
    const r = await rig(m, 'restart')
    m.push({ at: b(0), importWh: 0, exportWh: 0 })
    m.push({ at: b(1), importWh: 100, exportWh: 0 })
    await r.settler.readMeters(slotEnd(slots, 0), 0)
    await r.meter.stop()
    await r.journal.close()
    journals.pop()
    // down through boundaries 2 and 3; back up before boundary 4
    const m2 = new PushedMeter()
    const again = await rig(m2, 'restart')
    m2.push({ at: b(4, 5), importWh: 700, exportWh: 0 })
    m2.push({ at: b(5, 5), importWh: 800, exportWh: 0 })
    await again.settler.readMeters(slotEnd(slots, 4) + again.meter.graceMs, 0)
    const c = await chain(again.journal, 0, 9)
    expect(c.map(x => [x.slot, x.gap ?? false, x.importWh])).toEqual([
      [0, false, 100],
      [1, true, 0],
      [2, true, 0],
      [3, true, 0],
      [4, false, 100]
    ])
    expect(verifyReadingChain(c).ok).toBe(true)
  })

  it('without a meter every slot is a gap at once; a register that goes back is a gap, not a negative reading', async () => {
    const none = await rig(undefined, 'none')
    await none.settler.readMeters(slotEnd(slots, 1), 0)
    expect((await chain(none.journal, 0, 9)).map(x => [x.slot, x.gap, x.source])).toEqual([
      [0, true, 'no meter'],
      [1, true, 'no meter']
    ])

    const m = new PushedMeter()
    const r = await rig(m, 'reset')
    m.push({ at: b(0), importWh: 5_000, exportWh: 0 })
    m.push({ at: b(1), importWh: 20, exportWh: 0 })
    m.push({ at: b(2), importWh: 70, exportWh: 0, meterId: 'E0099' })
    m.push({ at: b(3), importWh: 90, exportWh: 0, meterId: 'E0099' })
    await r.settler.readMeters(slotEnd(slots, 2), 0)
    expect((await chain(r.journal, 0, 9)).map(x => [x.slot, x.gap ?? false, x.importWh, x.source])).toEqual([
      [0, true, 0, 'register went back (E0044 reset or replaced)'],
      [1, true, 0, 'meter changed from E0044 to E0099'],
      [2, false, 20, 'E0099']
    ])
  })

  it('settles contract against delivery on measured slots only, attests the gaps, and reports them with what was contracted', async () => {
    const { LocalLedger, localSettlement, MerkleTree, periodLeaves } = await import('@kvartal/settlement')
    const ledger = await LocalLedger.open(join(dir, 'ledger'))
    try {
      const m = new PushedMeter()
      const r = await rig(m, 'settle')
      await ledger.mint(r.identity.iotaAddress, 10_000_000_000)
      // slot 0 measured: 300 Wh drawn, nothing contracted → 300 Wh at retail; slots 1–3 not reported
      m.push({ at: b(0), importWh: 0, exportWh: 0 })
      m.push({ at: b(1), importWh: 300, exportWh: 0 })
      await r.settler.readMeters(slotEnd(slots, 3) + r.meter.graceMs, 0)
      await r.settler.settleDue(localSettlement(ledger, r.identity.signer))
      const summary = (await r.journal.getPeriod('d/0'))! as Record<string, any>
      expect(summary.readings).toBe(1)
      expect(summary.gaps.map((g: { slot: number }) => g.slot)).toEqual([1, 2, 3])
      expect(summary.imbalanceNanos).toBe(300_000_000) // only the measured slot; the model's 5000 Wh forecast is nowhere
      const c = await chain(r.journal, 0, 3)
      const { leaves } = periodLeaves(
        [],
        c.filter(x => x.gap !== true)
      )
      const { encodeReading } = await import('@kvartal/protocol')
      expect(summary.root).toBe(new MerkleTree([...leaves, ...c.filter(x => x.gap === true).map(encodeReading)]).root)
      expect(r.events.find(e => e.type === 'period-settled')?.detail).toContain('3 slots without a meter reading')
    } finally {
      await ledger.close()
    }
  })
})
