/** The soak's energy invariants (violations.ts lists them): trades, slots and settlement. */
import { costOf, type RawTrade } from './journal-reader.ts'
import type { LedgerPayment } from './ledger-reader.ts'
import { periodIndex, short, type CheckContext } from './check-context.ts'
import { receiptDebts } from './ride-invariants.ts'

/** Trades: both sides or neither. Counts the trades both sides committed, and those a graceful stop left pending. */
export function checkTrades(c: CheckContext): { trades: number; inFlight: number } {
  const { d, journals, add, byKey, tradeOf, grace } = c
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
  return { trades, inFlight }
}

/**
 * Slots: none oversold, none overbought; no trade twice from one negotiation; none after the gate; no hold
 * left open. Returns the latest a seller committed after its slot's true gate (-Infinity: none, or no `slots`).
 */
export function checkSlots(c: CheckContext): number {
  const { d, journals, add, config, tradeOf, grace } = c
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
  return latestAfterTrueGateMs
}

/**
 * Settlement: each trade settled once; each period paid exactly what its trades and ride receipts net to, once.
 * Returns the periods settled, and how many (node, period, counterparty) nets had trades both ways (prosumers).
 */
export function checkSettlement(c: CheckContext): { periodsSettled: number; nettedBothWays: number } {
  const { d, journals, ledger, add, byKey, byAddress, j, tradeOf } = c
  const periodPayments = new Map<string, LedgerPayment[]>()
  for (const p of ledger.payments) if (p.attestKey != null) periodPayments.set(p.attestKey, [...(periodPayments.get(p.attestKey) ?? []), p])
  let periodsSettled = 0
  let nettedBothWays = 0
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
      const ways = new Map<string, Set<string>>()
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
        const [other, way] = t.terms.buyer === jr.publicKey ? [j(seller).address, 'bought'] : [j(buyer).address, 'sold']
        net.set(other, (net.get(other) ?? 0) + (way === 'bought' ? cost : -cost))
        ways.set(other, (ways.get(other) ?? new Set()).add(way))
      }
      nettedBothWays += [...ways.values()].filter(w => w.size === 2).length
      // and the rides' receipts it settles: the rest of each fare beyond the unlock fee paid at checkout
      for (const r of receiptDebts(c, name, period)) {
        if (r.from === jr.address) net.set(r.to, (net.get(r.to) ?? 0) + r.amount)
        else if (r.to === jr.address) net.set(r.from, (net.get(r.from) ?? 0) - r.amount)
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
          `period ${period}: its trades and receipts net to [${owed.join(', ')}], ` +
            `the ledger's payment ${short(paid.digest)} pays [${got.join(', ')}]`
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
  return { periodsSettled, nettedBothWays }
}
