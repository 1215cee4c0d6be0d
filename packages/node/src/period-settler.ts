import { decodeReading, encodeReading, fromHex, signReading, slotEnd, toHex } from '@kvartal/protocol'
import { attestationKey, settlePeriod, type Settlement } from '@kvartal/settlement'
import type { NodeIdentity } from '@kvartal/mesh'
import type { Journal } from './journal.ts'
import type { KvartalNodeOptions } from './options.ts'
import type { Emit } from './events.ts'
import type { PeriodExtras } from './mobility/period-extras.ts'

export interface PeriodSettlerDeps {
  /** what else the period settles and attests (mobility: receipts, booked legs, channel heads) */
  extras?: (period: string, endMs: number) => Promise<PeriodExtras>
  journal: Journal
  identity: NodeIdentity
  options: KvartalNodeOptions
  emit: Emit
  signal: AbortSignal
}

/**
 * After delivery: meters every slot (signed, hash-chained readings in the journal) and settles every
 * period whose slots are all metered — nets, pays, attests, and journals each trade's proof. Safe to
 * run again after a crash at any point: the journal says what is metered and settled, and the
 * settlement adapter is idempotent by payment and attestation keys.
 */
export class PeriodSettler {
  readonly #d: PeriodSettlerDeps
  constructor (deps: PeriodSettlerDeps) { this.#d = deps }

  /** Signs a chained meter reading for every slot delivered since the last one. */
  async readMeters (now: number, firstSlot: number): Promise<void> {
    const { options: o, journal, identity, emit } = this.#d
    const last = await journal.lastReadingSlot()
    let prevHex = last == null ? undefined : await journal.reading(last)
    let prev = prevHex == null ? undefined : decodeReading(fromHex(prevHex))
    for (let s = last == null ? firstSlot : last + 1; slotEnd(o.slots, s) <= now; s++) {
      const net = o.profile.measured?.(s) ?? o.profile.position(s)
      const r = signReading(identity.signer, s, Math.max(0, -net), Math.max(0, net), now, prev)
      await journal.putReading(s, toHex(encodeReading(r)))
      prev = r
      emit({ type: 'meter-read', slot: s, energyWh: net })
    }
  }

  /** Settles every period whose last slot is delivered and metered: net, pay, attest, keep proofs. */
  async settleDue (settlement: Settlement): Promise<void> {
    const { options: o, journal, identity, emit, signal } = this.#d
    const periodSlots = o.settlement!.periodSlots
    const lastRead = await journal.lastReadingSlot()
    const firstRead = await journal.firstReadingSlot()
    if (lastRead == null || firstRead == null) return
    for (let p = Math.floor(firstRead / periodSlots); (p + 1) * periodSlots - 1 <= lastRead; p++) {
      const period = `${o.district}/${p}`
      if (await journal.getPeriod(period) != null) continue
      const from = p * periodSlots; const to = from + periodSlots - 1
      // this period's trades, and any earlier trade that was committed only after its own period settled
      // (a confirm that was still pending then): every committed trade is settled exactly once. The set
      // is journaled before anything is paid (write before you send), so a rerun after a crash settles
      // exactly the same trades under the same idempotency keys; later ones wait for the next period.
      const all = await journal.trades()
      let plan = await journal.getPeriodPlan(period)
      if (plan == null) {
        plan = []
        for (const t of all) if (t.status === 'committed' && t.decoded.terms.slot <= to && await journal.getProof(t.id) == null) plan.push(t.id)
        await journal.putPeriodPlan(period, plan)
      }
      const planned = new Set(plan)
      const trades = all.filter(t => planned.has(t.id)).map(t => t.decoded)
      const readings = (await journal.readings(from, to)).map(h => decodeReading(fromHex(h)))
      try {
        const extras = await this.#d.extras?.(period, slotEnd(o.slots, to))
        const r = await settlePeriod(settlement, {
          period, self: identity.iotaAddress, trades, readings, tariffs: o.tariffs, debts: extras?.debts, extraLeaves: extras?.leaves.map(l => l.bytes),
          // with an operator, grid fees and a positive imbalance are paid to it in the period's one payment
          ...(o.grid?.operator != null ? { gridOperator: o.grid.operator } : {})
        }, { signal: signal })
        const summary = {
          attestationKey: attestationKey(period, identity.iotaAddress), root: r.attestation.root, attestation: r.attestation.digest,
          payment: r.payment?.digest ?? null, paid: r.payment?.transfers.reduce((a, t) => a + t.amount, 0) ?? 0,
          obligations: r.obligations, imbalanceNanos: r.imbalanceNanos, trades: trades.length, readings: readings.length,
          gridOperator: r.gridOperator ?? null, gridFeesNanos: r.gridFeesNanos,
          paidToGridOperatorNanos: r.paidToGridOperatorNanos, receivableFromGridOperatorNanos: r.receivableFromGridOperatorNanos,
          receipts: extras?.leaves.filter(l => l.name.startsWith('receipt:')).length ?? 0, bookedLegs: extras?.leaves.filter(l => l.name.startsWith('leg:')).length ?? 0,
          channelHeads: extras?.leaves.filter(l => l.name.startsWith('channel:')).length ?? 0
        }
        await extras?.done(r.extraProofs)
        // crash-test hook: a node killed here has paid and attested but not journaled the period
        if (process.env.KVARTAL_CRASH_AT === 'after-payment' && r.payment != null) process.kill(process.pid, 'SIGKILL')
        await journal.putPeriod(period, summary, [...r.proofs].map(([tradeId, proof]) => ({ tradeId, proof })))
        emit({ type: 'period-settled', slot: from, correlation: period, detail: `${trades.length} trades, root ${r.attestation.root.slice(0, 16)}, paid ${summary.paid} nanos${r.gridOperator != null ? ` (${r.paidToGridOperatorNanos} to the grid operator, ${r.receivableFromGridOperatorNanos} receivable from it)` : ''}` })
      } catch (err) {
        // nothing is lost: payment and attestation are idempotent by key, and the next tick tries again
        emit({ type: 'settlement-failed', slot: from, correlation: period, code: (err as { code?: string }).code ?? 'error', detail: (err as Error).message })
        return
      }
    }
  }
}
