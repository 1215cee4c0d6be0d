import { decodeReading, fromHex, readingHash, verifyReadingChain } from '@kvartal/protocol'
import type { Journal } from './journal.ts'

export interface PeriodMeterCheck {
  /** the chain over the period is whole: every signature and link holds, no slot without a record */
  readonly ok: boolean
  readonly detail: string
  /** slots measured, and the gaps (slots without a meter reading) with why */
  readonly readings: number
  readonly gaps: ReadonlyArray<{ slot: number; why: string }>
  /** what the meter says of the trade's own slot */
  readonly tradeSlot: { gap: boolean; detail: string }
}

/**
 * This node's meter chain over a trade's period, for `kvartal verify` (offline, and the running node's
 * control API): every signature and link, the readings and the gaps (slots without a meter reading),
 * and what the meter says of the trade's slot.
 */
export async function periodMeterCheck(journal: Journal, period: string, periodSlots: number, slot: number): Promise<PeriodMeterCheck> {
  const p = Number(period.slice(period.lastIndexOf('/') + 1))
  const from = p * periodSlots
  const to = from + periodSlots - 1
  const chain = (await journal.readings(from, to)).map(h => decodeReading(fromHex(h)))
  const before = chain.length > 0 && chain[0].slot > 0 ? await journal.reading(chain[0].slot - 1) : undefined
  const check = verifyReadingChain(chain, before == null ? undefined : readingHash(decodeReading(fromHex(before))))
  const gaps = chain.filter(r => r.gap === true).map(r => ({ slot: r.slot, why: r.source ?? '' }))
  const readings = chain.length - gaps.length
  const sources = [...new Set(chain.filter(r => r.gap !== true).map(r => r.source ?? 'unnamed meter'))]
  const list =
    gaps
      .slice(0, 8)
      .map(g => g.slot)
      .join(', ') + (gaps.length > 8 ? ', …' : '')
  const detail = !check.ok
    ? `period ${period}: ${check.problem}`
    : `period ${period}: ${readings} slots measured${sources.length > 0 ? ` by ${sources.join(', ')}` : ''}, ` +
      `${gaps.length} ` +
      `gaps${gaps.length > 0 ? ` (slots ${list}: no meter reading, billed by the grid operator at grid prices)` : ''}; ` +
      'every signature and link holds'
  const own = await journal.reading(slot)
  const r = own == null ? undefined : decodeReading(fromHex(own))
  const tradeSlot =
    r == null
      ? { gap: true, detail: `slot ${slot} has no meter record in this journal` }
      : r.gap === true
        ? {
            gap: true,
            detail:
              `slot ${slot} is a gap (${r.source ?? 'no reading'}): delivery against ` +
              `this trade is not measured; the grid operator bills the slot at grid prices`
          }
        : {
            gap: false,
            detail:
              `slot ${slot} measured by ${r.source ?? 'the meter'}: ${r.importWh} Wh ` +
              `imported, ${r.exportWh} Wh exported (meter time ${new Date(r.at).toISOString()})`
          }
  // whole: from the period's first slot (or the node's very first record) to its last, none missing
  const whole = chain.length > 0 && chain[chain.length - 1].slot === to && (chain[0].slot === from || chain[0].prev.every(b => b === 0))
  const short = `period ${period}: its meter records do not cover slots ${from}–${to} (${chain.length} records)`
  return { ok: check.ok && whole, detail: check.ok && !whole ? short : detail, readings, gaps, tradeSlot }
}
