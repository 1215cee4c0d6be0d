import {
  decodeReading,
  encodeReading,
  fromHex,
  iotaAddress,
  signGap,
  signReading,
  slotEnd,
  toHex,
  type MeterReading,
  type Trade,
  errorCode
} from '@kvartal/protocol'
import { attestationKey, settlePeriod, type Settlement } from '@kvartal/settlement'
import type { NodeIdentity } from '@kvartal/mesh'
import type { Journal } from './journal.ts'
import type { KvartalNodeOptions } from './options.ts'
import type { Emit } from './events.ts'
import type { PeriodExtras } from './mobility/period-extras.ts'
import type { SlotMeter } from './slot-meter.ts'

export interface PeriodSettlerDeps {
  /** what else the period settles and attests (mobility: receipts, booked legs, channel heads) */
  extras?: (period: string, endMs: number) => Promise<PeriodExtras>
  journal: Journal
  identity: NodeIdentity
  options: KvartalNodeOptions
  emit: Emit
  /** aborts a settlement in flight: on stop, only once it had its grace to finish (node-stop.ts) */
  signal: AbortSignal
  /** the node is stopping: no further period is begun */
  stopping?: AbortSignal
  /** the node's meter, its samples at slot boundaries journaled */
  meter: SlotMeter
}

/**
 * After delivery: meters every slot (signed, hash-chained readings in the journal) and settles every
 * period whose slots are all metered — nets, pays, attests, and journals each trade's proof. Safe to
 * run again after a crash at any point: the journal says what is metered and settled, and the
 * settlement adapter is idempotent by payment and attestation keys.
 */
export class PeriodSettler {
  readonly #d: PeriodSettlerDeps
  /**
   * The chain's last reading and first slot, and the first period not known to be settled: read from
   * the journal once, then kept as this settler writes them (it is the only writer of readings and
   * periods). Every tick asked the journal again: three reads per node per tick, 2.5 % of the default
   * simulated day's CPU, and a Raspberry Pi's flash reads too.
   */
  #last?: { slot: number | undefined; reading: MeterReading | undefined }
  #firstRead: number | undefined
  #nextPeriod = 0
  constructor(deps: PeriodSettlerDeps) {
    this.#d = deps
  }

  async #lastReading(): Promise<{ slot: number | undefined; reading: MeterReading | undefined }> {
    if (this.#last == null) {
      const slot = await this.#d.journal.lastReadingSlot()
      const hex = slot == null ? undefined : await this.#d.journal.reading(slot)
      this.#last = { slot, reading: hex == null ? undefined : decodeReading(fromHex(hex)) }
    }
    return this.#last
  }

  /**
   * Signs a chained reading for every slot delivered since the last one, from what the meter reported
   * at the slot's two boundaries, stamped with the meter's time. A slot the meter did not report (no
   * meter, a meter that stopped, a node that was down at a boundary) becomes a gap record once its
   * grace has passed: the chain stays whole, the gap shows, and nothing is made up.
   *
   * One call at a time: a node's ticks overlap when one runs long (a loaded machine, a slow disk), and
   * two calls reading on from the same last reading would each sign the next slot, a gap differently
   * (stamped with its own `now`): the later write replaces the earlier one, and the chain breaks.
   */
  async readMeters(now: number, firstSlot: number): Promise<void> {
    const run = this.#reading.then(async () => {
      await this.#readMeters(now, firstSlot)
    })
    this.#reading = run.catch(() => {})
    await run
  }

  #reading: Promise<void> = Promise.resolve()

  async #readMeters(now: number, firstSlot: number): Promise<void> {
    const { options: o, journal, identity, emit, meter } = this.#d
    await meter.flush(now)
    const { slot: last, reading } = await this.#lastReading()
    let prev = reading
    for (let s = last == null ? firstSlot : last + 1; slotEnd(o.slots, s) <= now; s++) {
      const open = await journal.boundary(s)
      const close = await journal.boundary(s + 1)
      let why: string | undefined
      if (open == null || close == null)
        why =
          meter.meter == null
            ? 'no meter'
            : open == null
              ? close == null
                ? 'no sample at either end of the slot'
                : "no sample at the slot's start"
              : "no sample at the slot's end"
      else if (open.meterId !== close.meterId) why = `meter changed from ${open.meterId} to ${close.meterId}`
      else if (close.importWh < open.importWh || close.exportWh < open.exportWh)
        why = `register went back (${open.meterId} reset or replaced)`
      // the closing sample may still be on its way: wait the meter's grace before calling it a gap
      if (why != null && (open == null || close == null) && now < slotEnd(o.slots, s) + meter.graceMs) break
      const r =
        why == null
          ? signReading(
              identity.signer,
              s,
              close!.importWh - open!.importWh,
              close!.exportWh - open!.exportWh,
              close!.at,
              prev,
              close!.meterId
            )
          : signGap(identity.signer, s, now, why, prev)
      await journal.putReading(s, toHex(encodeReading(r)))
      this.#last = { slot: s, reading: r }
      prev = r
      if (why == null) {
        meter.counted('reading', s)
        emit({ type: 'meter-read', slot: s, energyWh: r.exportWh - r.importWh, detail: r.source })
      } else {
        meter.counted('gap', s, why)
        emit({ type: 'meter-gap', slot: s, detail: why })
      }
    }
  }

  /** Settles every period whose last slot is delivered and metered: net, pay, attest, keep proofs. */
  async settleDue(settlement: Settlement): Promise<void> {
    const { options: o, journal, identity, emit, signal } = this.#d
    const periodSlots = o.settlement!.periodSlots
    const lastRead = (await this.#lastReading()).slot
    this.#firstRead ??= await journal.firstReadingSlot()
    const firstRead = this.#firstRead
    if (lastRead == null || firstRead == null) return
    for (let p = Math.max(this.#nextPeriod, Math.floor(firstRead / periodSlots)); (p + 1) * periodSlots - 1 <= lastRead; p++) {
      const period = `${o.district}/${p}`
      if ((await journal.getPeriod(period)) != null) {
        this.#nextPeriod = p + 1
        continue
      }
      if (this.#d.stopping?.aborted === true) return
      const from = p * periodSlots
      const to = from + periodSlots - 1
      // this period's trades, and any earlier trade that was committed only after its own period settled
      // (a confirm that was still pending then): every committed trade is settled exactly once. The set
      // is journaled before anything is paid (write before you send), so a rerun after a crash settles
      // exactly the same trades under the same idempotency keys; later ones wait for the next period.
      const all = await journal.trades()
      let plan = await journal.getPeriodPlan(period)
      if (plan == null) {
        plan = []
        for (const t of all)
          if (t.status === 'committed' && t.decoded.terms.slot <= to && (await journal.getProof(t.id)) == null) plan.push(t.id)
        await journal.putPeriodPlan(period, plan)
      }
      const planned = new Set(plan)
      const trades = all.filter(t => planned.has(t.id)).map(t => t.decoded)
      const chain = (await journal.readings(from, to)).map(h => decodeReading(fromHex(h)))
      // contract against delivery is settled on measured slots only; a gap is attested with the rest
      // (after the extras) and reported with what was contracted in it, for the grid operator to bill
      // from its own meter at the grid tariffs
      const readings = chain.filter(c => c.gap !== true)
      const gaps = chain.filter(c => c.gap === true)
      try {
        const extras = await this.#d.extras?.(period, slotEnd(o.slots, to))
        const r = await settlePeriod(
          settlement,
          {
            period,
            self: identity.iotaAddress,
            trades,
            readings,
            tariffs: o.tariffs,
            debts: extras?.debts,
            extraLeaves: [...(extras?.leaves.map(l => l.bytes) ?? []), ...gaps.map(encodeReading)],
            // with an operator, grid fees and a positive imbalance are paid to it in the period's one payment
            ...(o.grid?.operator != null ? { gridOperator: o.grid.operator } : {})
          },
          { signal: signal }
        )
        const summary = {
          attestationKey: attestationKey(period, identity.iotaAddress),
          root: r.attestation.root,
          attestation: r.attestation.digest,
          payment: r.payment?.digest ?? null,
          paid: r.payment?.transfers.reduce((a, t) => a + t.amount, 0) ?? 0,
          obligations: r.obligations,
          imbalanceNanos: r.imbalanceNanos,
          trades: trades.length,
          readings: readings.length,
          gaps: gapLines(gaps, trades, identity.iotaAddress),
          gridOperator: r.gridOperator ?? null,
          gridFeesNanos: r.gridFeesNanos,
          paidToGridOperatorNanos: r.paidToGridOperatorNanos,
          receivableFromGridOperatorNanos: r.receivableFromGridOperatorNanos,
          receipts: extras?.leaves.filter(l => l.name.startsWith('receipt:')).length ?? 0,
          bookedLegs: extras?.leaves.filter(l => l.name.startsWith('leg:')).length ?? 0,
          channelHeads: extras?.leaves.filter(l => l.name.startsWith('channel:')).length ?? 0
        }
        await extras?.done(r.extraProofs.slice(0, extras.leaves.length))
        await journal.putPeriod(
          period,
          summary,
          [...r.proofs].map(([tradeId, proof]) => ({ tradeId, proof }))
        )
        this.#nextPeriod = p + 1
        emit({
          type: 'period-settled',
          slot: from,
          correlation: period,
          detail:
            `${trades.length} trades, root ${r.attestation.root.slice(0, 16)}, paid ${summary.paid} ` +
            `nanos${gaps.length > 0 ? `, ${gaps.length} slots without a meter reading` : ''}` +
            (r.gridOperator != null
              ? ` (${r.paidToGridOperatorNanos} to the grid operator, ${r.receivableFromGridOperatorNanos} receivable from it)`
              : '')
        })
      } catch (err) {
        // nothing is lost: payment and attestation are idempotent by key, and the next tick tries again
        emit({ type: 'settlement-failed', slot: from, correlation: period, code: errorCode(err, 'error'), detail: (err as Error).message })
        return
      }
    }
  }
}

/** A period's gaps with what this node had contracted in each (Wh, + sold, − bought). */
export function gapLines(
  gaps: readonly MeterReading[],
  trades: readonly Trade[],
  self: string
): Array<{ slot: number; contractedWh: number; why: string }> {
  return gaps.map(g => ({
    slot: g.slot,
    contractedWh: trades
      .filter(t => t.terms.slot === g.slot)
      .reduce((a, t) => a + (iotaAddress(t.terms.seller) === self ? t.terms.energyWh : -t.terms.energyWh), 0),
    why: g.source ?? ''
  }))
}
