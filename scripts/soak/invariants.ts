/**
 * The soak's invariants, checked after every process has stopped, from the journals (read raw by
 * journal-reader.ts) and the ledger (read by ledger-reader.ts) alone: nothing the run kept in memory.
 * It shares no helper with the node: it decodes trades, derives keys, nets and prices on its own.
 *
 * Energy
 *   one-sided-trade            a trade committed by one side and not by the other (missing, or void)
 *   trade-unresolved           a buyer's trade still pending at the end (its Confirm never answered)
 *   trade-id-mismatch          a trade whose id is not the sha256 of its terms, or held under the wrong role
 *   negotiation-traded-twice   two trades of one seller from one negotiation
 *   oversold-slot              a seller sold more in a slot than its position offered
 *   traded-after-gate          a seller committed a trade at or after its slot's gate closed, by the
 *                              seller's own clock (the only one it has: skewed clocks are the soak's)
 *   overbought-slot            a buyer bought more in a slot than its position needed
 *   hold-left-open             a seller's hold past its expiry, or outliving its trade; a provider's
 *                              leg held past its expiry
 *   trade-settled-twice        one trade in two settlement periods of one node
 *   trade-never-settled        a committed trade that periods long after its slot did not settle
 *   paid-not-owed              a period's payment on the ledger ≠ what its trades net to
 *   payment-twice              two ledger payments under one period's key
 *   payment-unrecorded         a period payment on the ledger that its payer never planned
 * Mobility
 *   leg-confirmed-without-payment  a sold leg whose payment is not on the ledger, or pays too little
 *   payment-without-confirmed-leg  a traveller's payment no sold leg or refund accounts for
 *   seat-sold-twice            more seats sold on a trip than it has
 *   booking-one-sided          a package confirmed and its leg not sold, or the other way round
 *   booking-unresolved         a package left mid-booking (holding, paying, committing)
 *   refund-missing             a cancelled leg's refund not on the ledger (or still cancelling)
 * Either
 *   unknown-party              a trade or payment naming a key or address outside the district
 *   unreadable-transaction     a ledger transaction that is neither a payment nor an attestation
 */
import { costOf, readJournal, type RawJournal, type RawTrade } from './journal-reader.ts'
import { readLedger, type Ledger, type LedgerPayment } from './ledger-reader.ts'

export const VIOLATION_KINDS = [
  'one-sided-trade',
  'trade-unresolved',
  'trade-id-mismatch',
  'negotiation-traded-twice',
  'oversold-slot',
  'overbought-slot',
  'traded-after-gate',
  'hold-left-open',
  'trade-settled-twice',
  'trade-never-settled',
  'paid-not-owed',
  'payment-twice',
  'payment-unrecorded',
  'leg-confirmed-without-payment',
  'payment-without-confirmed-leg',
  'seat-sold-twice',
  'booking-one-sided',
  'booking-unresolved',
  'refund-missing',
  'unknown-party',
  'unreadable-transaction'
] as const
export type ViolationKind = (typeof VIOLATION_KINDS)[number]

export interface Violation {
  readonly kind: ViolationKind
  readonly node?: string
  readonly detail: string
}

/** A node of the district as its config declares it (input, not run state). */
export interface DistrictNode {
  readonly name: string
  readonly dataDir: string
  /** Wh per slot, cyclic by slot (positive: surplus to sell, negative: need to buy) */
  readonly position?: readonly number[]
  /** a transit operator's seats per trip */
  readonly seatsPerTrip?: number
  /** ms its clock ran ahead of the machine's (negative: behind) */
  readonly skewMs?: number
}

export interface District {
  readonly nodes: readonly DistrictNode[]
  readonly periodSlots: number
  /** when the last process stopped (ms): holds that expire later may still be open */
  readonly stoppedAt: number
  /**
   * ms before the stop within which a trade may still be pending or a package mid-booking: the work a
   * graceful stop interrupted, which the node resumes at its next start (default 15 s)
   */
  readonly graceMs?: number
  /** the slot clock every node ran (slot n starts at epochMs + n × slotMs; its gate closes gateClosureMs before) */
  readonly slots?: { readonly epochMs: number; readonly slotMs: number; readonly gateClosureMs: number }
}

export interface InvariantReport {
  /** trades committed by both sides */
  trades: number
  /** packages confirmed */
  bookings: number
  /** trades pending and packages mid-booking that a graceful stop interrupted (within graceMs of it) */
  inFlight: number
  legsSold: number
  periodsSettled: number
  ledgerPayments: number
  /** with `slots`: the latest a seller committed after its slot's gate by the machine's clock (its journal's time less its skew), ms */
  latestAfterTrueGateMs?: number
  violations: Violation[]
}

const SOLD = new Set(['CONFIRMED', 'STARTED', 'ENDED'])
const periodIndex = (period: string): number => Number(period.slice(period.lastIndexOf('/') + 1))
const short = (id: string): string => id.slice(0, 12)

/** Reads every node's journal and the ledger file, then checks. */
export async function checkDistrict(d: District, ledgerFile: string): Promise<InvariantReport> {
  const journals = new Map<string, RawJournal>()
  for (const n of d.nodes) journals.set(n.name, await readJournal(n.dataDir))
  return checkInvariants(d, journals, await readLedger(ledgerFile))
}

export function checkInvariants(d: District, journals: ReadonlyMap<string, RawJournal>, ledger: Ledger): InvariantReport {
  const v: Violation[] = []
  const add = (kind: ViolationKind, node: string | undefined, detail: string): void => {
    v.push({ kind, ...(node != null ? { node } : {}), detail })
  }
  const byKey = new Map<string, string>()
  const byAddress = new Map<string, string>()
  for (const [name, j] of journals) {
    byKey.set(j.publicKey, name)
    byAddress.set(j.address, name)
  }
  const config = new Map(d.nodes.map(n => [n.name, n]))
  const j = (name: string): RawJournal => journals.get(name)!
  for (const u of ledger.unreadable) add('unreadable-transaction', undefined, `${u.digest}: ${u.why}`)

  // ---- trades: both sides or neither ----
  const index = new Map([...journals].map(([name, jr]) => [name, new Map(jr.trades.map(t => [`${t.id} ${t.role}`, t]))]))
  const tradeOf = (name: string, id: string, role: string): RawTrade | undefined => index.get(name)!.get(`${id} ${role}`)
  const ids = new Map<string, RawTrade>()
  for (const [name, jr] of journals) {
    for (const t of jr.trades) {
      const mine = t.role === 'seller' ? t.terms.seller : t.role === 'buyer' ? t.terms.buyer : ''
      if (t.termsHash !== t.id || mine !== jr.publicKey)
        add(
          'trade-id-mismatch',
          name,
          `trade ${short(t.id)} (${t.role}): ` +
            `${t.termsHash !== t.id ? `its terms hash to ${short(t.termsHash)}` : 'this node is not that party'}`
        )
      ids.set(t.id, t)
    }
  }
  let trades = 0
  let inFlight = 0
  const grace = d.graceMs ?? 15_000
  for (const [id, t] of ids) {
    const seller = byKey.get(t.terms.seller)
    const buyer = byKey.get(t.terms.buyer)
    if (seller == null || buyer == null) {
      add('unknown-party', seller ?? buyer, `trade ${short(id)} names a ${seller == null ? 'seller' : 'buyer'} outside the district`)
      continue
    }
    const s = tradeOf(seller, id, 'seller')
    const b = tradeOf(buyer, id, 'buyer')
    const sc = s?.status === 'committed'
    const bc = b?.status === 'committed'
    if (sc && bc) trades++
    else if (b?.status === 'pending' && b.at >= d.stoppedAt - grace) inFlight++
    else if (b?.status === 'pending')
      add(
        'trade-unresolved',
        buyer,
        `trade ${short(id)} (slot ${t.terms.slot}) still pending at the buyer; the seller ${sc ? 'committed it' : 'holds no trade'}`
      )
    else if (sc !== bc)
      add(
        'one-sided-trade',
        sc ? seller : buyer,
        `trade ${short(id)} (slot ${t.terms.slot}, ${t.terms.energyWh} Wh) committed by the ${sc ? 'seller' : 'buyer'} ` +
          `${sc ? seller : buyer}; the ${sc ? 'buyer' : 'seller'} ` +
          `${sc ? buyer : seller} has it ${(sc ? b : s)?.status ?? 'not at all'}`
      )
  }

  // ---- slots: none oversold, none overbought; no trade twice from one negotiation; none after the gate ----
  let latestAfterTrueGateMs = -Infinity
  for (const [name, jr] of journals) {
    if (d.slots != null) {
      const { epochMs, slotMs, gateClosureMs } = d.slots
      const skew = config.get(name)?.skewMs ?? 0
      for (const t of jr.trades) {
        if (t.role !== 'seller' || t.status !== 'committed') continue
        const gate = epochMs + t.terms.slot * slotMs - gateClosureMs
        if (t.at >= gate)
          add(
            'traded-after-gate',
            name,
            `trade ${short(t.id)} for slot ${t.terms.slot} committed ${t.at - gate} ms after its gate, by the seller's clock`
          )
        latestAfterTrueGateMs = Math.max(latestAfterTrueGateMs, t.at - skew - gate)
      }
    }
    const position = config.get(name)?.position
    const sold = new Map<number, number>()
    const bought = new Map<number, number>()
    const negotiations = new Map<string, string>()
    for (const t of jr.trades) {
      if (t.status !== 'committed') continue
      if (t.role === 'seller') {
        sold.set(t.terms.slot, (sold.get(t.terms.slot) ?? 0) + t.terms.energyWh)
        const other = negotiations.get(t.terms.negotiation)
        if (other != null)
          add('negotiation-traded-twice', name, `negotiation ${short(t.terms.negotiation)} gave trades ${short(other)} and ${short(t.id)}`)
        negotiations.set(t.terms.negotiation, t.id)
      } else bought.set(t.terms.slot, (bought.get(t.terms.slot) ?? 0) + t.terms.energyWh)
    }
    if (position == null || position.length === 0) continue
    const at = (slot: number): number => position[((slot % position.length) + position.length) % position.length]
    for (const [slot, wh] of sold)
      if (wh > Math.max(0, at(slot))) add('oversold-slot', name, `slot ${slot}: sold ${wh} Wh, had ${Math.max(0, at(slot))} Wh to sell`)
    for (const [slot, wh] of bought)
      if (wh > Math.max(0, -at(slot))) add('overbought-slot', name, `slot ${slot}: bought ${wh} Wh, needed ${Math.max(0, -at(slot))} Wh`)
    for (const h of jr.holds) {
      const traded = tradeOf(name, h.tradeId, 'seller')?.status === 'committed'
      // a running node releases a lapsed hold at its next tick; one that lapsed in the last graceMs before
      // the stop is the stop's (a restart releases it)
      if (traded || h.holdUntil < d.stoppedAt - grace)
        add(
          'hold-left-open',
          name,
          `hold ${short(h.negotiation)} of ${h.energyWh} Wh in slot ${h.slot} ` +
            `${traded ? 'outlives its committed trade' : `lapsed at ${h.holdUntil}, ${d.stoppedAt - h.holdUntil} ms before the end`}`
        )
    }
  }

  // ---- settlement: each trade settled once; each period paid exactly what its trades net to, once ----
  const periodPayments = new Map<string, LedgerPayment[]>()
  for (const p of ledger.payments) if (p.attestKey != null) periodPayments.set(p.attestKey, [...(periodPayments.get(p.attestKey) ?? []), p])
  let periodsSettled = 0
  for (const [name, jr] of journals) {
    const settledIn = new Map<string, string>()
    let lastSettled = -1
    for (const [period, plan] of jr.plans) {
      for (const id of plan) {
        const other = settledIn.get(id)
        if (other != null) add('trade-settled-twice', name, `trade ${short(id)} in periods ${other} and ${period}`)
        settledIn.set(id, period)
      }
      const summary = jr.periods.get(period)
      if (summary != null) {
        periodsSettled++
        lastSettled = Math.max(lastSettled, periodIndex(period))
      }
      // what the period's trades net to, per counterparty, from this node's side
      const net = new Map<string, number>()
      for (const id of plan) {
        const t = [tradeOf(name, id, 'buyer'), tradeOf(name, id, 'seller')].find(x => x?.status === 'committed')
        if (t == null) {
          add('paid-not-owed', name, `period ${period} settles trade ${short(id)}, which this node does not hold committed`)
          continue
        }
        const buyer = byKey.get(t.terms.buyer)
        const seller = byKey.get(t.terms.seller)
        if (buyer == null || seller == null) continue
        const cost = costOf(t.terms.energyWh, t.terms.price)
        if (t.terms.buyer === jr.publicKey) net.set(j(seller).address, (net.get(j(seller).address) ?? 0) + cost)
        else net.set(j(buyer).address, (net.get(j(buyer).address) ?? 0) - cost)
      }
      const owed = [...net]
        .filter(([, a]) => a > 0)
        .map(([to, amount]) => `${to}:${amount}`)
        .sort()
      const key = `${period}/attest/${jr.address}`
      const onLedger = (periodPayments.get(key) ?? []).filter(p => p.transfers.length > 0)
      if (onLedger.length > 1)
        add('payment-twice', name, `period ${period} paid ${onLedger.length} times: ${onLedger.map(p => short(p.digest)).join(', ')}`)
      const paid = onLedger[0]
      const journaled = summary?.payment as string | null | undefined
      if (journaled != null && !ledger.payments.some(p => p.digest === journaled))
        add('paid-not-owed', name, `period ${period} names payment ${short(journaled)}, which the ledger does not hold`)
      if (paid == null) {
        // planned, not yet paid, not yet settled: in flight when the node stopped
        if (owed.length > 0 && summary != null) add('paid-not-owed', name, `period ${period} owes ${owed.join(', ')} and paid nothing`)
        continue
      }
      const got = paid.transfers.map(t => `${t.to}:${t.amount}`).sort()
      if (got.join(' ') !== owed.join(' '))
        add(
          'paid-not-owed',
          name,
          `period ${period}: its trades net to [${owed.join(', ')}], the ledger's payment ${short(paid.digest)} pays [${got.join(', ')}]`
        )
      if (paid.sender !== jr.address)
        add('paid-not-owed', name, `period ${period}'s payment ${short(paid.digest)} was sent by ${paid.sender}`)
    }
    // a committed trade is settled by the first period planned after it: two periods of grace
    for (const t of jr.trades) {
      if (t.status !== 'committed' || settledIn.has(t.id)) continue
      if (lastSettled * d.periodSlots > t.terms.slot + 2 * d.periodSlots)
        add(
          'trade-never-settled',
          name,
          `trade ${short(t.id)} of slot ${t.terms.slot} is in no period, though period ${lastSettled} settled`
        )
    }
  }
  for (const [key, ps] of periodPayments) {
    const m = /^(.*)\/attest\/(0x[0-9a-f]{64})$/.exec(key)
    const name = m != null ? byAddress.get(m[2]) : undefined
    if (m == null || name == null) {
      add('unknown-party', undefined, `ledger attestation ${key} names no node of the district`)
      continue
    }
    if (ps.some(p => p.transfers.length > 0) && !j(name).plans.has(m[1]))
      add('payment-unrecorded', name, `the ledger holds payment ${short(ps[0].digest)} for period ${m[1]}, which ${name} never planned`)
  }

  // ---- mobility: legs sold once and paid, payments accounted for, bookings both sides ----
  const digests = new Map(ledger.payments.map(p => [p.digest, p]))
  const accounted = new Set<string>()
  const legOwners = new Map<string, { traveller: string; pkg: string }>()
  let bookings = 0
  for (const [name, jr] of journals) {
    for (const p of jr.packages) {
      for (const l of p.legs) legOwners.set(l.leg, { traveller: name, pkg: p.id })
      if (p.status === 'CONFIRMED') bookings++
      if (p.phase !== 'done' && p.at >= d.stoppedAt - grace) inFlight++
      else if (p.phase !== 'done') add('booking-unresolved', name, `package ${short(p.id)} left in phase ${p.phase} (${p.status})`)
      if (p.paymentDigest != null) accounted.add(p.paymentDigest)
      for (const l of p.legs) {
        const provider = byKey.get(l.provider)
        if (provider == null) {
          add('unknown-party', name, `package ${short(p.id)} leg ${short(l.leg)} from a provider outside the district`)
          continue
        }
        const sold = j(provider).providerLegs.find(x => x.leg === l.leg)
        const soldThere = sold != null && SOLD.has(sold.status)
        if (p.status === 'CONFIRMED' && !(soldThere && sold.paymentDigest === p.paymentDigest))
          add(
            'booking-one-sided',
            name,
            `package ${short(p.id)} is CONFIRMED; ${provider} has its leg ${short(l.leg)} ` +
              `${sold == null ? 'not at all' : `${sold.status}${sold.paymentDigest !== p.paymentDigest ? ' against another payment' : ''}`}`
          )
        if (p.status !== 'CONFIRMED' && p.status !== 'CANCELLED' && soldThere)
          add(
            'booking-one-sided',
            provider,
            `leg ${short(l.leg)} is ${sold.status} at ${provider}; the traveller's package ` +
              `${short(p.id)} is ${p.status}${p.reason != null ? ` (${p.reason})` : ''}`
          )
      }
    }
  }
  let legsSold = 0
  for (const [name, jr] of journals) {
    const seats = config.get(name)?.seatsPerTrip
    const taken = new Map<string, number>()
    for (const l of jr.providerLegs) {
      if (SOLD.has(l.status) || l.status === 'CANCELLING') taken.set(l.resource, (taken.get(l.resource) ?? 0) + l.units)
      if (l.status === 'PENDING' && l.holdUntil < d.stoppedAt - grace)
        add(
          'hold-left-open',
          name,
          `leg ${short(l.leg)} of ${l.resource} held until ${l.holdUntil}, ${d.stoppedAt - l.holdUntil} ms before the end`
        )
      if (l.refundDigest != null) accounted.add(l.refundDigest)
      if (l.status === 'CANCELLING')
        add('refund-missing', name, `leg ${short(l.leg)} still CANCELLING: refund of ${l.refund ?? 0} not made`)
      if (l.status === 'CANCELLED' && (l.refund ?? 0) > 0) {
        const r = l.refundDigest != null ? digests.get(l.refundDigest) : undefined
        const to = legOwners.get(l.leg)
        const paidBack =
          r == null || to == null ? 0 : r.transfers.filter(t => t.to === j(to.traveller).address).reduce((a, t) => a + t.amount, 0)
        if (r == null || r.sender !== jr.address || paidBack < l.refund!)
          add(
            'refund-missing',
            name,
            `leg ${short(l.leg)} CANCELLED with a refund of ${l.refund}; the ` +
              `ledger ${r == null ? 'holds no refund' : `refunds ${paidBack}`}`
          )
      }
      if (!SOLD.has(l.status)) continue
      legsSold++
      const owner = legOwners.get(l.leg)
      const pay = l.paymentDigest != null ? digests.get(l.paymentDigest) : undefined
      if (owner == null) {
        add('leg-confirmed-without-payment', name, `leg ${short(l.leg)} is ${l.status} and no traveller's package holds it`)
        continue
      }
      const traveller = j(owner.traveller)
      const pkg = traveller.packages.find(p => p.id === owner.pkg)!
      const dueHere = jr.providerLegs.filter(x => x.package === l.package && SOLD.has(x.status)).reduce((a, x) => a + x.price, 0)
      const paidHere =
        pay == null || pay.sender !== traveller.address
          ? 0
          : pay.transfers.filter(t => t.to === jr.address).reduce((a, t) => a + t.amount, 0)
      if (pay == null || pay.sender !== traveller.address || paidHere < dueHere || pkg.paymentDigest !== l.paymentDigest) {
        add(
          'leg-confirmed-without-payment',
          name,
          `leg ${short(l.leg)} is ${l.status} against payment ${l.paymentDigest == null ? '(none)' : short(l.paymentDigest)}: ` +
            (pay == null
              ? 'not on the ledger'
              : `${paidHere} of ${dueHere} nanos from ${pay.sender === traveller.address ? 'the traveller' : pay.sender}`)
        )
      }
    }
    if (seats != null)
      for (const [resource, n] of taken) if (n > seats) add('seat-sold-twice', name, `${resource}: ${n} seats sold of ${seats}`)
  }
  const travellers = new Set([...journals].filter(([, jr]) => jr.packages.length > 0).map(([, jr]) => jr.address))
  const providers = new Set([...journals].filter(([, jr]) => jr.providerLegs.length > 0).map(([, jr]) => jr.address))
  for (const p of ledger.payments) {
    if (p.attestKey != null || p.transfers.length === 0 || accounted.has(p.digest)) continue
    const mobility =
      (travellers.has(p.sender) && p.transfers.some(t => providers.has(t.to))) ||
      (providers.has(p.sender) && p.transfers.some(t => travellers.has(t.to)))
    if (mobility)
      add(
        'payment-without-confirmed-leg',
        byAddress.get(p.sender),
        `payment ${short(p.digest)} of ${p.transfers.map(t => t.amount).join('+')} nanos: no package, sold leg or refund names it`
      )
    else add('unknown-party', byAddress.get(p.sender), `payment ${short(p.digest)} is neither a period's nor a booking's`)
  }
  // a package paid and not confirmed: each leg sold against that payment anyway, or its money back
  for (const [name, jr] of journals) {
    for (const p of jr.packages) {
      if (p.paymentDigest == null || p.status === 'CONFIRMED' || p.status === 'CANCELLED') continue
      // each leg sold against this payment (the provider holds the money for a seat) or refunded
      const accountedFor = p.legs.every(l => {
        const prov = byKey.get(l.provider)
        const s = prov != null ? j(prov).providerLegs.find(x => x.leg === l.leg) : undefined
        return (
          (s != null && SOLD.has(s.status) && s.paymentDigest === p.paymentDigest) || (s?.status === 'CANCELLED' && s.refundDigest != null)
        )
      })
      if (!accountedFor)
        add(
          'payment-without-confirmed-leg',
          name,
          `package ${short(p.id)} is ${p.status}${p.reason != null ? ` (${p.reason})` : ''} ` +
            `but paid ${short(p.paymentDigest)}, and not every leg was sold or refunded`
        )
    }
  }
  return {
    trades,
    bookings,
    inFlight,
    legsSold,
    periodsSettled,
    ledgerPayments: ledger.payments.filter(p => p.transfers.length > 0).length,
    ...(Number.isFinite(latestAfterTrueGateMs) ? { latestAfterTrueGateMs } : {}),
    violations: v
  }
}
