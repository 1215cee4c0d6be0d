import { costNanos, iotaAddress, type Trade } from '@kvartal/protocol'
import type { Obligation, PaymentRequest } from './port.ts'

/**
 * Bilateral netting: every trade of a period between the same two parties becomes one obligation, the
 * difference of what each owes the other. Money is computed per trade in whole nanos (rounded half up,
 * as `costNanos` does), then summed, so netting never creates or loses a nano. Other debts between
 * the same parties (pay-per-use receipts) are netted with the trades.
 */
export function netTrades(trades: readonly Trade[], debts: readonly Obligation[] = []): Obligation[] {
  // summed exactly: a pair's sum may pass 2^53 nanos where no single trade does, and is then refused below
  const owed = new Map<string, bigint>()
  const addresses = new Map<string, string>()
  const address = (key: Uint8Array): string => {
    const k = Buffer.from(key).toString('base64')
    let a = addresses.get(k)
    if (a == null) {
      a = iotaAddress(key)
      addresses.set(k, a)
    }
    return a
  }
  for (const t of trades) {
    const buyer = address(t.terms.buyer)
    const seller = address(t.terms.seller)
    if (buyer === seller) continue
    const amount = costNanos(t.terms.energyWh, t.terms.price)
    const [a, b] = buyer < seller ? [buyer, seller] : [seller, buyer]
    const sign = buyer === a ? 1 : -1
    owed.set(`${a} ${b}`, (owed.get(`${a} ${b}`) ?? 0n) + BigInt(sign * amount))
  }
  // other debts of the period (a traveller's final pay-per-use receipt to a vehicle) net the same way
  for (const d of debts) {
    if (d.from === d.to || d.amount <= 0) continue
    if (!Number.isSafeInteger(d.amount)) throw new RangeError(`a debt must be a whole number of nanos, got ${d.amount}`)
    const [a, b] = d.from < d.to ? [d.from, d.to] : [d.to, d.from]
    owed.set(`${a} ${b}`, (owed.get(`${a} ${b}`) ?? 0n) + BigInt((d.from === a ? 1 : -1) * d.amount))
  }
  const out: Obligation[] = []
  for (const [pair, sum] of [...owed].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const [a, b] = pair.split(' ')
    const abs = sum < 0n ? -sum : sum
    if (abs > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RangeError(`what ${a} and ${b} owe each other in one period passes 2^53 nanos: a number no longer holds it exactly`)
    const net = Number(sum)
    if (net > 0) out.push({ from: a, to: b, amount: net })
    if (net < 0) out.push({ from: b, to: a, amount: -net })
  }
  return out
}

/** One payment per payer, paying all its counterparties at once (one programmable transaction on IOTA). */
export function paymentsFor(obligations: readonly Obligation[], keyPrefix: string): PaymentRequest[] {
  const byPayer = new Map<string, Array<{ to: string; amount: number }>>()
  for (const o of obligations) {
    if (o.amount <= 0) continue
    const list = byPayer.get(o.from) ?? []
    list.push({ to: o.to, amount: o.amount })
    byPayer.set(o.from, list)
  }
  return [...byPayer].sort(([a], [b]) => (a < b ? -1 : 1)).map(([payer, transfers]) => ({ key: `${keyPrefix}/${payer}`, payer, transfers }))
}

/** Total each address owes minus what it is owed; sums to zero over all addresses. */
export function netPositions(obligations: readonly Obligation[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const o of obligations) {
    m.set(o.from, (m.get(o.from) ?? 0) - o.amount)
    m.set(o.to, (m.get(o.to) ?? 0) + o.amount)
  }
  return m
}
