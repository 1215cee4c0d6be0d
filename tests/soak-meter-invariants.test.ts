import { mkdtemp, rm } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Level } from 'level'
import { encodeReading, signerFromSeed, signGap, signReading, type MeterReading, type Signer } from '@kvartal/protocol'
import { checkInvariants, METER_VIOLATION_KINDS, type District, type ViolationKind } from '../scripts/soak/invariants.ts'
import { readJournal } from '../scripts/soak/journal-reader.ts'
import { readLedgerEntries } from '../scripts/soak/ledger-reader.ts'
import type { NodeTruth, TruthSample } from '../scripts/soak/meter-truth.ts'

/**
 * The soak's meter invariants (scripts/soak/meter-invariants.ts) against hand-made journals (real LevelDB
 * directories by the layout journal.ts documents: meter/<slot>, meter-boundary/<slot>, period/<period>) and a
 * hand-made ground truth of what the broker published: a consistent district passes (readings, and gaps where a
 * boundary had no sample), and each kind of violation, made on purpose, is named. The records are signed with
 * @kvartal/protocol's signReading and signGap, as the node signs them; the checker reads them with its own code.
 */

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-soak-meter-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const seedOf = (name: string): Buffer => createHash('sha256').update(name).digest()
const SELLER = signerFromSeed(seedOf('seller'))
const BUYER = signerFromSeed(seedOf('buyer'))
const METER = 'mqtt:soak/seller'
const SLOT_MS = 1_000
const PERIOD_SLOTS = 5
/** the slots metered: two periods, 100–104 and 105–109 */
const FIRST = 100
const LAST = 109
const GRACE_MS = 6_000
const pad = (n: number): string => n.toString().padStart(16, '0')
const end = (slot: number): number => (slot + 1) * SLOT_MS

type Spec = { slot: number; open?: TruthSample; close?: TruthSample; gapAt?: number; why?: string; source?: string }
interface World {
  /** what the broker published for the seller's meter */
  published: TruthSample[]
  /** the seller's journaled boundary samples */
  boundaries: Map<number, TruthSample>
  /** the seller's chain, as signed */
  seller: MeterReading[]
  buyer: MeterReading[]
  periods: Record<string, Record<string, unknown>>
}

/** Signs a chain from its slots' boundary samples: a reading where both ends have one, else a gap. */
function chain(signer: Signer, specs: Spec[]): MeterReading[] {
  const out: MeterReading[] = []
  for (const s of specs) {
    const prev = out.at(-1)
    out.push(
      s.open != null && s.close != null
        ? signReading(
            signer,
            s.slot,
            s.close.importWh - s.open.importWh,
            s.close.exportWh - s.open.exportWh,
            s.close.at,
            prev,
            s.source ?? METER
          )
        : signGap(signer, s.slot, s.gapAt ?? end(s.slot) + GRACE_MS, s.why ?? "no sample at the slot's end", prev)
    )
  }
  return out
}

const slots = (): number[] => Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i)
/** the seller's specs from its journaled boundaries (`close` overrides a slot's closing sample) */
const specsOf = (w: World, close: Map<number, TruthSample> = new Map()): Spec[] =>
  slots().map(slot => ({ slot, open: w.boundaries.get(slot), close: close.get(slot) ?? w.boundaries.get(slot + 1) }))

/** A summary as the node journals a settled period: how many readings, and each gap. */
function periods(readings: MeterReading[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const p of [FIRST / PERIOD_SLOTS, FIRST / PERIOD_SLOTS + 1]) {
    const of = readings.filter(r => Math.floor(r.slot / PERIOD_SLOTS) === p)
    out[`soak/${p}`] = {
      readings: of.filter(r => r.gap !== true).length,
      gaps: of.filter(r => r.gap === true).map(r => ({ slot: r.slot, contractedWh: 0, why: r.source }))
    }
  }
  return out
}

/**
 * The meter publishes twice a slot (200 and 600 ms after each boundary), its registers growing; the seller
 * journals the first sample after each boundary, but was down at boundary 105: slots 104 and 105 are gaps.
 * The buyer has no meter: every slot a gap.
 */
function world(): World {
  const published: TruthSample[] = []
  let importWh = 1_234_000
  let exportWh = 56_000
  for (let k = FIRST - 1; k <= LAST + 2; k++)
    for (const ms of [200, 600]) {
      importWh += 7 + (k % 3)
      exportWh += 30 + (k % 5)
      published.push({ at: k * SLOT_MS + ms, importWh, exportWh })
    }
  const boundaries = new Map<number, TruthSample>()
  for (let k = FIRST; k <= LAST + 1; k++) if (k !== 105) boundaries.set(k, published.find(s => s.at === k * SLOT_MS + 200)!)
  const w: World = { published, boundaries, seller: [], buyer: [], periods: {} }
  w.seller = chain(SELLER, specsOf(w))
  w.buyer = chain(
    BUYER,
    slots().map(slot => ({ slot, gapAt: end(slot), why: 'no meter' }))
  )
  w.periods = periods(w.seller)
  return w
}

let n = 0
async function writeChain(signer: Signer, readings: MeterReading[], boundaries: Map<number, TruthSample>, p: Record<string, unknown>) {
  const path = join(dir, `j${n++}`)
  const db = new Level<string, any>(path, { valueEncoding: 'json' })
  await db.open()
  const seed = signer === SELLER ? seedOf('seller') : seedOf('buyer')
  const ops: Array<{ type: 'put'; key: string; value: unknown }> = [{ type: 'put', key: 'key/ed25519-seed', value: seed.toString('hex') }]
  for (const r of readings) ops.push({ type: 'put', key: `meter/${pad(r.slot)}`, value: Buffer.from(encodeReading(r)).toString('hex') })
  if (readings.length > 0) ops.push({ type: 'put', key: 'meter-last', value: readings.at(-1)!.slot })
  for (const [k, b] of boundaries) ops.push({ type: 'put', key: `meter-boundary/${pad(k)}`, value: { meterId: METER, ...b } })
  for (const [period, s] of Object.entries(p)) ops.push({ type: 'put', key: `period/${period}`, value: s })
  await db.batch(ops as any)
  await db.close()
  return await readJournal(path)
}

async function check(w: World) {
  const district: District = {
    periodSlots: PERIOD_SLOTS,
    stoppedAt: end(LAST) + 60_000,
    slots: { epochMs: 0, slotMs: SLOT_MS, gateClosureMs: 0 },
    nodes: [
      { name: 'seller', dataDir: '', position: [500] },
      { name: 'buyer', dataDir: '', position: [-500] }
    ]
  }
  const journals = new Map([
    ['seller', await writeChain(SELLER, w.seller, w.boundaries, w.periods)],
    ['buyer', await writeChain(BUYER, w.buyer, new Map(), {})]
  ])
  const truth = new Map<string, NodeTruth>([['seller', { meter: METER, samples: w.published }]])
  const report = checkInvariants(district, journals, readLedgerEntries([]), truth)
  return { kinds: [...new Set(report.violations.map(v => v.kind))], report }
}

const at = (w: World, ms: number): TruthSample => w.published.find(s => s.at === ms)!
const bySlot = (rs: MeterReading[], slot: number): number => rs.findIndex(r => r.slot === slot)

const broken: Array<[ViolationKind, string, (w: World) => void]> = [
  [
    'meter-chain-broken',
    "a reading's energy edited after it was signed",
    w => {
      const i = bySlot(w.seller, 102)
      w.seller[i] = { ...w.seller[i], exportWh: w.seller[i].exportWh + 100 }
    }
  ],
  ['meter-chain-broken', 'a record taken out of the middle of the chain', w => void w.seller.splice(bySlot(w.seller, 107), 1)],
  [
    'meter-chain-broken',
    "a record re-signed after the next one was (the next one's link then breaks)",
    w => {
      const i = bySlot(w.seller, 104)
      w.seller[i] = signGap(SELLER, 104, end(104) + GRACE_MS + 3_000, "no sample at the slot's end", w.seller[i - 1])
    }
  ],
  [
    'meter-chain-broken',
    'a chain signed by another key',
    w =>
      void (w.buyer = chain(
        SELLER,
        slots().map(slot => ({ slot, why: 'no meter' }))
      ))
  ],
  [
    'meter-slot-read-twice',
    'slot 107 read up to a later sample than the one slot 108 opens on (and boundary 108 journaled)',
    w => {
      w.seller = chain(SELLER, specsOf(w, new Map([[107, at(w, 108 * SLOT_MS + 600)]])))
    }
  ],
  [
    'meter-slot-read-twice',
    'a settled period that saw slot 103 as a gap, which the chain now holds as a reading',
    w => {
      const p = w.periods['soak/20']
      w.periods['soak/20'] = { readings: (p.readings as number) - 1, gaps: [{ slot: 103, why: 'x' }, ...(p.gaps as unknown[])] }
    }
  ],
  [
    'meter-reading-invented',
    'a reading of 5 Wh more import than the registers moved by',
    w => {
      const close = w.boundaries.get(102)!
      w.seller = chain(SELLER, specsOf(w, new Map([[101, { ...close, importWh: close.importWh + 5 }]])))
    }
  ],
  [
    'meter-reading-invented',
    'a reading closed on a sample the broker never published (1 ms later than one it did)',
    w => {
      const close = w.boundaries.get(103)!
      w.seller = chain(SELLER, specsOf(w, new Map([[102, { ...close, at: close.at + 1 }]])))
    }
  ],
  [
    'meter-reading-invented',
    'a node with no meter signing a reading',
    w => {
      const specs: Spec[] = slots().map(slot => ({ slot, gapAt: end(slot), why: 'no meter' }))
      specs[3] = { slot: specs[3].slot, open: at(w, 103 * SLOT_MS + 200), close: at(w, 104 * SLOT_MS + 200) }
      w.buyer = chain(BUYER, specs)
    }
  ],
  [
    'meter-reading-invented',
    "a reading signed under another meter's name",
    w =>
      void (w.seller = chain(
        SELLER,
        specsOf(w).map(s => ({ ...s, source: 'mqtt:other' }))
      ))
  ],
  [
    'meter-reading-invented',
    'a journaled boundary sample the broker never published',
    w => void w.boundaries.set(LAST + 3, { at: (LAST + 3) * SLOT_MS, importWh: 9, exportWh: 9 })
  ],
  [
    'meter-reading-before-slot-end',
    'a reading stamped by a published sample from before its slot ended (boundary 109 taken 400 ms early)',
    w => {
      w.boundaries.set(109, at(w, 108 * SLOT_MS + 600))
      w.seller = chain(SELLER, specsOf(w))
    }
  ],
  [
    'meter-reading-before-slot-end',
    'a gap recorded before its slot ended',
    w =>
      void (w.buyer = chain(
        BUYER,
        slots().map(slot => ({ slot, gapAt: end(slot) - 300, why: 'no meter' }))
      ))
  ]
]

describe('the soak checker on meter chains', () => {
  it('passes a consistent district: readings where both boundaries had a sample, gaps where one did not', async () => {
    const { report } = await check(world())
    expect(report.violations).toEqual([])
    expect(report.meters).toEqual({
      seller: { readings: 8, gaps: 2, gapsWhy: { "no sample at the slot's end": 2 }, published: 26 }
    })
  })

  it('names every meter kind, each made on purpose', () => {
    expect([...new Set(broken.map(([k]) => k))].sort()).toEqual([...METER_VIOLATION_KINDS].sort())
  })

  for (const [i, [kind, what, breakIt]] of broken.entries()) {
    it(`names ${kind}: ${what} (case ${i + 1})`, async () => {
      const w = world()
      breakIt(w)
      const { report } = await check(w)
      expect(
        report.violations.filter(v => v.kind === kind),
        JSON.stringify(report.violations, null, 1)
      ).not.toEqual([])
      for (const v of report.violations) expect(v.detail.length).toBeGreaterThan(10)
    })
  }
})
