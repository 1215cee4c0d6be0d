/**
 * The soak's ride invariants (pay per use: a rental bike meters each ride tick by tick and the rider signs a
 * cumulative receipt each tick), checked from the journals and the ledger alone. Each follows from what
 * packages/node/src/mobility promises:
 *
 *   receipt-not-travellers  every receipt either side journaled is a usage-receipt for that ride, signed
 *                           by the ride's traveller, naming it payer and the vehicle payee, and the record's
 *                           nonce and total are the envelope's: the traveller seals it with its key
 *                           (traveller-rides.ts), and the vehicle journals only one whose signer, leg and
 *                           payee it checked (provider-desk.ts #collectReceipt)
 *   receipt-one-sided       the traveller holds every receipt the vehicle holds, or a later one: it journals
 *                           each receipt before it sends it (write point traveller-receipt), and the vehicle
 *                           journals only what it received
 *   receipt-mispriced       a receipt's total is the fare its use costs under the pricing plan of the ride's
 *                           terms, and no more than the booked window and distance cost: the traveller signs
 *                           exactly that fare and refuses a use that costs more (UsageCheck, receipts.ts)
 *   ride-end-unreceipted    a ride the vehicle ended without a reason (it ran its window) has a final receipt
 *                           in the vehicle's journal: the vehicle ends a ride so only when the final report's
 *                           receipt came back and covered the use; otherwise it ends it `receipt-late`
 *   ride-paid-twice         no node settles one ride's receipt in two periods: a period journals the receipts it
 *                           settles before it pays, and leaves out every receipt already attested (period-extras.ts)
 *   receipt-unpaid          every ride's last receipt at the traveller is settled by the first period that ends
 *                           after it closed (final, or its window's end and a slot's grace after it), once the
 *                           traveller settled that period (period-extras.ts's selection)
 *   vehicle-double-booked   a vehicle is in one ride at a time: a sold ride holds the vehicle (capacity 1) from
 *                           its window's start until it ended (inventory.ts, provider-desk.ts)
 *   ride-unended            a ride whose window closed (more than the stop's grace before the stop) is ENDED:
 *                           the vehicle ends every ride at its window's end at the latest (#meterRides)
 *
 * What the rider pays is checked with the periods (energy-invariants.ts's paid-not-owed): the unlock fee at
 * checkout (mobility-invariants.ts, as any leg's price), and with the period that settles its receipt the rest
 * of the receipt's total (`receiptDebts`), netted per counterparty with the period's trades.
 */
import { SOLD, short, type CheckContext } from './check-context.ts'
import type { RawJournal, RawReceiptRecord } from './journal-reader.ts'
import { fareOf, openReceipt, rentalTerms, type RentalTerms } from './ride-reader.ts'

/** A node's rides: the terms of every pay-per-use leg it sold or booked, and what checkout already paid for each. */
interface Rides {
  readonly terms: Map<string, RentalTerms>
  readonly checkout: Map<string, number>
}

const cache = new WeakMap<RawJournal, Rides>()
function ridesOf(jr: RawJournal): Rides {
  let r = cache.get(jr)
  if (r != null) return r
  const terms = new Map<string, RentalTerms>()
  const checkout = new Map<string, number>()
  for (const p of jr.packages)
    for (const l of p.legs) {
      if (l.terms == null) continue
      const t = rentalTerms(l.terms)
      if (t.plan.planId === '') continue
      terms.set(l.leg, t)
      if (p.paymentDigest != null) checkout.set(l.leg, t.price)
    }
  for (const l of jr.providerLegs) {
    const t = rentalTerms(l.terms)
    if (t.plan.planId === '') continue
    terms.set(l.leg, t)
    if (l.paymentDigest != null) checkout.set(l.leg, l.price)
  }
  r = { terms, checkout }
  cache.set(jr, r)
  return r
}

/**
 * What a node's period settles of rides, as the node computes it (period-extras.ts), from the signed receipts:
 * each selected receipt's total less what checkout paid for the ride, from the payer to the payee (addresses).
 */
export function receiptDebts(c: CheckContext, name: string, period: string): Array<{ from: string; to: string; amount: number }> {
  const jr = c.j(name)
  const { checkout } = ridesOf(jr)
  const out: Array<{ from: string; to: string; amount: number }> = []
  for (const leg of jr.periodReceipts.get(period) ?? []) {
    const r = jr.receipts.find(x => x.leg === leg)
    if (r == null) continue
    const m = openReceipt(r.envelope)
    const payer = c.byKey.get(m.payer)
    const payee = c.byKey.get(m.payee)
    if (payer == null || payee == null) continue
    const owed = m.total - Math.min(m.total, checkout.get(leg) ?? 0)
    if (owed > 0) out.push({ from: c.j(payer).address, to: c.j(payee).address, amount: owed })
  }
  return out
}

export interface RideCounts {
  /** rides sold by a vehicle (confirmed, started or ended) */
  booked: number
  /** rides the vehicle metered at least once */
  started: number
  ended: number
  /** rides whose traveller settled its last receipt in a period it completed */
  paid: number
  /** rides with a receipt at the traveller */
  receipts: number
}

function checkReceipt(c: CheckContext, name: string, r: RawReceiptRecord, t: RentalTerms | undefined): void {
  if (t == null) {
    c.add('receipt-not-travellers', name, `receipt for ride ${short(r.leg)}, which this node neither sold nor booked`)
    return
  }
  let m: ReturnType<typeof openReceipt>
  try {
    m = openReceipt(r.envelope)
  } catch (err) {
    c.add('receipt-not-travellers', name, `receipt for ride ${short(r.leg)} cannot be read: ${(err as Error).message}`)
    return
  }
  const wrong = [
    m.kind !== 'usage-receipt' ? `a ${m.kind || 'kindless'} envelope` : '',
    !m.signatureValid ? 'its signature does not hold' : '',
    m.signer !== t.traveller ? `signed by ${short(m.signer)}, not the traveller` : '',
    m.payer !== t.traveller || m.payee !== t.provider ? "payer or payee not the ride's" : '',
    m.leg !== r.leg ? `for ride ${short(m.leg)}` : '',
    m.nonce !== r.nonce || m.total !== r.total ? `journaled as nonce ${r.nonce}, ${r.total} nanos; it says ${m.nonce}, ${m.total}` : ''
  ].filter(x => x !== '')
  if (wrong.length > 0) c.add('receipt-not-travellers', name, `${r.role}'s receipt for ride ${short(r.leg)}: ${wrong.join('; ')}`)
  const fare = fareOf(t.plan, m.seconds, m.metres)
  const cap = fareOf(t.plan, Math.ceil((t.to - t.from) / 1000), t.distanceM)
  if (m.total !== fare || m.total > cap)
    c.add(
      'receipt-mispriced',
      name,
      `${r.role}'s receipt ${m.nonce} for ride ${short(r.leg)}: ${m.total} nanos for ${m.seconds} s, ${m.metres} m; ` +
        `plan ${t.plan.planId} charges ${fare}, the booked ride at most ${cap}`
    )
}

export function checkRides(c: CheckContext): RideCounts {
  const { d, journals, add, byKey, j, grace } = c
  const counts: RideCounts = { booked: 0, started: 0, ended: 0, paid: 0, receipts: 0 }
  const slotMs = d.slots?.slotMs
  for (const [name, jr] of journals) {
    const { terms } = ridesOf(jr)
    for (const r of jr.receipts) checkReceipt(c, name, r, terms.get(r.leg))
    // settled in two periods?
    const selectedIn = new Map<string, string>()
    for (const [period, legs] of jr.periodReceipts)
      for (const leg of legs) {
        const other = selectedIn.get(leg)
        if (other != null) add('ride-paid-twice', name, `ride ${short(leg)}'s receipt settled in periods ${other} and ${period}`)
        selectedIn.set(leg, period)
      }
    // the traveller's side: every last receipt settled by the first period that ends after it closed
    for (const r of jr.receipts) {
      if (r.role !== 'traveller') continue
      counts.receipts++
      const period = selectedIn.get(r.leg)
      if (period != null && jr.periods.has(period)) counts.paid++
      const t = terms.get(r.leg)
      if (period != null || t == null || slotMs == null || d.slots == null) continue
      const closes = r.final ? 0 : t.to + slotMs
      const periodMs = d.periodSlots * slotMs
      const due = [...jr.periods.keys()].find(p => {
        const endMs = d.slots!.epochMs + (Number(p.slice(p.lastIndexOf('/') + 1)) + 1) * periodMs
        return r.issuedAt < endMs && closes <= endMs
      })
      if (due != null)
        add(
          'receipt-unpaid',
          name,
          `ride ${short(r.leg)}'s last receipt (${r.total} nanos, ${r.final ? 'final' : `closed at ${closes}`}) ` +
            `is in no period, though period ${due} settled after it closed`
        )
    }
    // the vehicle's side
    const held: Array<{ leg: string; from: number; until: number }> = []
    for (const l of jr.providerLegs) {
      const t = terms.get(l.leg)
      if (t == null || !SOLD.has(l.status)) continue
      counts.booked++
      if (l.usedSeconds != null) counts.started++
      if (l.status === 'ENDED') counts.ended++
      held.push({ leg: l.leg, from: l.from, until: l.status === 'ENDED' ? Math.min(l.to, l.at) : l.to })
      if (l.status !== 'ENDED' && l.to < d.stoppedAt - grace)
        add('ride-unended', name, `ride ${short(l.leg)} is ${l.status}, its window closed ${d.stoppedAt - l.to} ms before the stop`)
      const mine = jr.receipts.find(x => x.leg === l.leg)
      if (l.status === 'ENDED' && l.reason == null && mine?.final !== true)
        add(
          'ride-end-unreceipted',
          name,
          `ride ${short(l.leg)} ended after ${l.usedSeconds ?? 0} s with no reason, ` +
            `and the vehicle holds ${mine == null ? 'no receipt' : `receipt ${mine.nonce}, not final`}`
        )
      if (mine == null) continue
      const traveller = byKey.get(t.traveller)
      const theirs = traveller != null ? j(traveller).receipts.find(x => x.leg === l.leg) : undefined
      if (theirs == null || theirs.nonce < mine.nonce || (theirs.nonce === mine.nonce && theirs.envelope !== mine.envelope))
        add(
          'receipt-one-sided',
          name,
          `the vehicle holds receipt ${mine.nonce} of ride ${short(l.leg)} (${mine.total} nanos); ` +
            `${traveller ?? 'the traveller'} holds ${theirs == null ? 'none' : `receipt ${theirs.nonce} (${theirs.total} nanos)`}`
        )
    }
    held.sort((a, b) => a.from - b.from)
    for (let i = 1; i < held.length; i++) {
      const a = held[i - 1]
      const b = held[i]
      if (b.from < a.until)
        add('vehicle-double-booked', name, `rides ${short(a.leg)} and ${short(b.leg)} overlap: ${a.until - b.from} ms in both`)
    }
  }
  return counts
}
