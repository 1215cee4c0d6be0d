/**
 * The soak's meter invariants: what operators are promised about meters (docs/meters.md: the node signs what the
 * meter reported, with the meter's timestamp, and never invents a reading; a slot without one is a gap in the
 * chain), checked from the journals' meter chains (meter-reader.ts) and what the soak's broker published
 * (meter-truth.ts) alone.
 *
 * - meter-chain-broken: every record of every node's chain (readings and gaps) is signed by the node's key over
 *   its bytes, points back to the sha256 of the record before it (the first to 32 zero bytes), and the slots run
 *   on without a hole. A record rewritten after the next was signed breaks the next one's link.
 * - meter-reading-invented: a reading names its closing sample by the meter's `at`; the registers of its opening
 *   sample are that sample's less the reading (the soak's registers only grow, import by at least 1 Wh a sample,
 *   so registers name a sample). Both must have been published for this node, under its meter's name; so must
 *   every boundary sample the node journaled. A node with no meter signs gaps only.
 * - meter-slot-read-twice: slot s's closing sample is the one slot s + 1 opens on, and the one journaled for the
 *   boundary; a settled period saw the readings and gaps of its slots that the chain holds now (its summary
 *   lists them). Two readings of one slot (a restart that read it again differently) show as one of these.
 * - meter-reading-before-slot-end: a reading's meter time is at or after its slot's end (its closing sample is
 *   the first at or after the boundary), its opening sample at or after the slot's start; a gap is recorded,
 *   by the node's clock (the one its slots run on), once the slot has ended.
 */
import { periodIndex, type CheckContext } from './check-context.ts'
import type { RawReading } from './meter-reader.ts'
import type { MeterTruth, TruthSample } from './meter-truth.ts'
import type { MeterFigures } from './violations.ts'

const GENESIS = '00'.repeat(32)
const iso = (ms: number): string => new Date(ms).toISOString()
const regs = (s: { importWh: number; exportWh: number }): string => `${s.importWh}/${s.exportWh}`

export function checkMeters(c: CheckContext, truth: MeterTruth): Record<string, MeterFigures> {
  const { d, add, journals } = c
  const figures: Record<string, MeterFigures> = {}
  for (const [name, j] of journals) {
    const t = truth.get(name)
    const byAt = new Map<number, TruthSample>(t?.samples.map(s => [s.at, s]))
    const byRegs = new Map<string, TruthSample>(t?.samples.map(s => [regs(s), s]))
    const slotStart = (s: number): number | undefined => (d.slots == null ? undefined : d.slots.epochMs + s * d.slots.slotMs)

    // the chain: signed by the node, linked, no slot missing
    let prev: RawReading | undefined
    for (const r of j.readings) {
      if (r.unreadable != null) c.add('meter-chain-broken', name, `meter/${r.key} cannot be read: ${r.unreadable}`)
      else {
        if (r.slot !== r.key) add('meter-chain-broken', name, `meter/${r.key} holds the record of slot ${r.slot}`)
        if (!r.signatureValid) add('meter-chain-broken', name, `the record of slot ${r.slot}: its signature does not verify`)
        else if (r.meter !== j.publicKey) add('meter-chain-broken', name, `the record of slot ${r.slot} is signed by another key`)
        if (r.prev !== (prev?.hash ?? GENESIS))
          add(
            'meter-chain-broken',
            name,
            `the record of slot ${r.slot} does not link to ${prev == null ? 'the genesis' : `that of slot ${prev.key}`}`
          )
      }
      if (prev != null && r.key !== prev.key + 1) {
        const missing = r.key - prev.key > 2 ? `slots ${prev.key + 1}–${r.key - 1}` : `slot ${prev.key + 1}`
        add('meter-chain-broken', name, `no record of ${missing} between slots ${prev.key} and ${r.key}`)
      }
      prev = r
    }

    // each reading: the difference of two published samples, not before its slot's end
    const sides = new Map<number, { open: TruthSample; close: TruthSample }>()
    for (const r of j.readings) {
      if (r.unreadable != null) continue
      const end = slotStart(r.slot + 1)
      if (end != null && r.at < end)
        add(
          'meter-reading-before-slot-end',
          name,
          r.gap
            ? `the gap of slot ${r.slot} was recorded at ${iso(r.at)}, before the slot ended at ${iso(end)}`
            : `the reading of slot ${r.slot} is stamped ${iso(r.at)} by the meter, before the slot ended at ${iso(end)}`
        )
      if (r.gap) continue
      if (t == null) {
        add('meter-reading-invented', name, `${name} has no meter, yet signed slot ${r.slot} as a reading of ${r.source}`)
        continue
      }
      if (r.source !== t.meter)
        add('meter-reading-invented', name, `slot ${r.slot} is signed as read from ${r.source}, not from ${t.meter}`)
      const close = byAt.get(r.at)
      const open =
        close == null ? undefined : byRegs.get(regs({ importWh: close.importWh - r.importWh, exportWh: close.exportWh - r.exportWh }))
      if (close == null) add('meter-reading-invented', name, `slot ${r.slot} closes on a sample at ${iso(r.at)}, which was never published`)
      else if (open == null || open.at >= close.at)
        add(
          'meter-reading-invented',
          name,
          `slot ${r.slot}: ${r.importWh} Wh in and ${r.exportWh} out up to the sample at ${iso(r.at)} ` +
            `(${regs(close)}) is no difference of two published samples`
        )
      else {
        sides.set(r.slot, { open, close })
        const start = slotStart(r.slot)
        if (start != null && open.at < start)
          add(
            'meter-reading-before-slot-end',
            name,
            `slot ${r.slot} opens on the sample at ${iso(open.at)}, before the slot began at ${iso(start)}`
          )
      }
    }
    for (const [k, b] of j.boundaries) {
      const p = byAt.get(b.at)
      if (t == null || b.meterId !== t.meter || p == null || regs(p) !== regs(b))
        add(
          'meter-reading-invented',
          name,
          `boundary ${k} is journaled as ${regs(b)} Wh at ${iso(b.at)} from ${b.meterId}, never published`
        )
    }

    // one sample per boundary: between neighbouring readings, and as journaled
    for (const [s, { open, close }] of sides) {
      const next = sides.get(s + 1)
      if (next != null && next.open.at !== close.at)
        add(
          'meter-slot-read-twice',
          name,
          `boundary ${s + 1}: slot ${s} was read up to the sample at ${iso(close.at)}, slot ${s + 1} from the one at ${iso(next.open.at)}`
        )
      for (const [k, side] of [
        [s, open],
        [s + 1, close]
      ] as const) {
        const jb = j.boundaries.get(k)
        if (jb != null && jb.at !== side.at)
          add(
            'meter-slot-read-twice',
            name,
            `boundary ${k} is journaled as the sample at ${iso(jb.at)}; slot ${s} was read on the one at ${iso(side.at)}`
          )
      }
    }
    // what each settled period saw of its slots is what the chain holds now
    const bySlot = new Map(j.readings.map(r => [r.key, r]))
    for (const [period, summary] of j.periods) {
      if (!Array.isArray(summary.gaps) || typeof summary.readings !== 'number') continue
      const from = periodIndex(period) * d.periodSlots
      const chain = Array.from({ length: d.periodSlots }, (_, i) => bySlot.get(from + i)).filter(r => r != null)
      const gapsNow = chain.filter(r => r.gap).map(r => r.key)
      const gapsThen = (summary.gaps as Array<{ slot: number }>).map(g => g.slot).sort((a, b) => a - b)
      const readingsNow = chain.length - gapsNow.length
      if (readingsNow !== summary.readings || gapsNow.join() !== gapsThen.join())
        add(
          'meter-slot-read-twice',
          name,
          `period ${period} settled ${summary.readings} readings and gaps [${gapsThen.join(', ')}]; ` +
            `the chain holds ${readingsNow} readings and gaps [${gapsNow.join(', ')}] of its slots`
        )
    }

    if (t != null) {
      const gaps = j.readings.filter(r => r.gap)
      const gapsWhy: Record<string, number> = {}
      for (const g of gaps) gapsWhy[g.source] = (gapsWhy[g.source] ?? 0) + 1
      figures[name] = { readings: j.readings.length - gaps.length, gaps: gaps.length, gapsWhy, published: t.samples.length }
    }
  }
  return figures
}
