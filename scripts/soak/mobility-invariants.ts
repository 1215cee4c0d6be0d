/** The soak's mobility invariants (violations.ts lists them): legs sold once and paid, payments accounted for, bookings both sides. */
import { SOLD, short, type CheckContext } from './check-context.ts'
import { legSeats } from './journal-reader.ts'

/** Counts the packages confirmed, the legs sold, and the packages a graceful stop left mid-booking. */
export function checkMobility(c: CheckContext): { bookings: number; legsSold: number; inFlight: number } {
  const { d, journals, ledger, add, byKey, byAddress, config, j, grace } = c
  let inFlight = 0
  const digests = new Map(ledger.payments.map(p => [p.digest, p]))
  const accounted = new Set<string>()
  const legOwners = new Map<string, { traveller: string; pkg: string }>()
  let bookings = 0
  for (const [name, jr] of journals) {
    for (const p of jr.packages) {
      for (const l of p.legs) legOwners.set(l.leg, { traveller: name, pkg: p.id })
      // booked: confirmed, and still so or cancelled since (only a confirmed package can be cancelled)
      if (p.status === 'CONFIRMED' || p.status === 'CANCELLED') bookings++
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
    // per departure (trip and day) and per stop of it: the seats of the legs that ride past that stop
    const taken = new Map<string, Array<{ from: number; to: number; units: number }>>()
    for (const l of jr.providerLegs) {
      if (SOLD.has(l.status) || l.status === 'CANCELLING') {
        const s = legSeats(l.terms)
        const key = `${l.resource} on day ${s.day}`
        taken.set(key, [...(taken.get(key) ?? []), s])
      }
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
      for (const [departure, legs] of taken) {
        const stops = new Set(legs.map(x => x.from))
        const most = Math.max(...[...stops].map(k => legs.filter(x => x.from <= k && k < x.to).reduce((a, x) => a + x.units, 0)))
        if (most > seats) add('seat-sold-twice', name, `${departure}: ${most} seats sold of ${seats} on one stretch`)
      }
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
  return { bookings, legsSold, inFlight }
}
