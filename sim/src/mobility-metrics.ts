import { decodeLegTerms, fromHex, mobilityLimits, openAs } from '@kvartal/protocol'
import { fareNanos } from '@kvartal/mobility'
import { planFromWire } from '@kvartal/node'
import { netTrades } from '@kvartal/settlement'
import type { DistrictRunResult } from './district-run-result.ts'
import type { JourneyOutcome } from './trip-agent.ts'
import type { VehicleKind } from './district-map.ts'

export interface MobilityMetrics {
  network: { stops: number; routes: number; trips: number }
  fleet: { bikes: number; scooters: number; cars: number; transitOperators: number }
  journeys: {
    /** trips whose time fell inside the simulated window (of `tripsPerDay` over the whole day) */
    requested: number
    tripsPerDay: number
    booked: number
    walked: number
    failed: number
    /** failures by reason: a provider's refusal code, `no-journey`, a BookingError code, … */
    failedBy: Record<string, number>
    /** booked journeys using each vehicle mode (a journey counts once per mode it uses; walking not counted) */
    bookedByMode: Record<string, number>
  }
  /** providers' side: legs held, and holds released (by the traveller or by expiry) */
  holds: { held: number; released: number; expired: number; packagesReleased: number }
  /** means over booked journeys, against the same trips by private car (drive-alone.ts) */
  perJourney: {
    doorToDoorS: number
    /** what the planner priced the journey at (fares plus the quoted fare of each vehicle leg) */
    plannedPriceNanos: number
    /** what the traveller paid: checkout plus the settled final receipts of its vehicle legs */
    paidNanos: number
    co2G: number
    driveAlone: { doorToDoorS: number; priceNanos: number; co2G: number }
  }
  /** Σ over vehicle legs of (unlock fee at checkout + final receipt − the plan's fare for the metered use) */
  paidBeyondFareNanos: number
  payments: {
    /** one ledger payment per booked package, to all its providers */
    bookingPayments: number
    /** refunds of cancelled legs, one ledger payment each */
    refunds: number
    /** (booking payments + refunds) ÷ journeys booked */
    perJourney: number
  }
  receipts: {
    /** cumulative receipts the travellers signed (off the ledger: one per vehicle tick of a ride) */
    signed: number
    /** final receipts settled in the period's netting */
    settled: number
    /** period payments that carried at least one final receipt */
    carryingPayments: number
    /** settled ÷ carryingPayments, and signed ÷ carryingPayments */
    perOnChainTransaction: number
    signedPerOnChainTransaction: number
    late: number
    refused: number
  }
  rides: { ended: number }
  /** quote requests that failed (no answer in time, a stream error) */
  quotesFailed: number
  /**
   * energy the car-share EVs sold (V2G) and bought (charging) in the energy market, Wh; `overcommitted`:
   * trades their battery budget refused to book (the node says so with `battery-overcommitted`)
   */
  vehicleEnergy: { soldWh: number; boughtWh: number; trades: number; overcommitted: number }
  onChain: {
    /** booking payments and refunds */
    bookingTransactions: number
    /**
     * period transactions that exist only because of mobility: each provider node's period transaction
     * (its attestation, carrying its payment when it pays; two only if they were made apart), and a
     * building's period payment when it owed nothing for energy (only for receipts) and did not carry
     * the building's root
     */
    mobilityPeriodTransactions: number
    /** (booking + mobility period transactions) ÷ journeys booked */
    perJourney: number
    /** mobility period transactions ÷ journeys booked: what daily settlement adds per journey */
    settlementPerJourney: number
  }
  /** Σ of every account's balance equals Σ minted: bookings, receipts and trades only moved money */
  ledger: { mintedNanos: number; balancesNanos: number; conserved: boolean }
}

export interface MobilityFacts {
  readonly outcomes: readonly JourneyOutcome[]
  readonly tripsPerDay: number
  /** event counts by type; `leg-released:expired` counts expiries */
  readonly events: ReadonlyMap<string, number>
  /** node index → provider kind, for provider nodes */
  readonly providerKinds: ReadonlyMap<number, VehicleKind | 'transit'>
  readonly network: { stops: number; routes: number; trips: number }
  readonly ledger: { mintedNanos: number; balancesNanos: number }
  /** slots per settlement period: a node's period p settles the trades of slots [p × periodSlots, (p + 1) × periodSlots) */
  readonly periodSlots: number
}

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d
const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length))

export function computeMobilityMetrics(run: DistrictRunResult, f: MobilityFacts): MobilityMetrics {
  const ev = (k: string): number => f.events.get(k) ?? 0
  const booked = f.outcomes.filter(o => o.status === 'booked')
  const failedBy: Record<string, number> = {}
  for (const o of f.outcomes) if (o.status === 'failed') failedBy[o.reason ?? 'unknown'] = (failedBy[o.reason ?? 'unknown'] ?? 0) + 1
  const bookedByMode: Record<string, number> = {}
  for (const o of booked) for (const m of o.journey?.modes ?? []) if (m !== 'WALK') bookedByMode[m] = (bookedByMode[m] ?? 0) + 1

  // what each booked journey cost: checkout plus the final receipts of its vehicle legs
  const byNode = new Map(run.nodes.map(n => [n.id, n]))
  const paid: number[] = []
  let beyondFare = 0
  let bookingPayments = 0
  for (const n of run.nodes) {
    const m = n.mobility
    if (m == null) continue
    const receipts = new Map(m.receipts.filter(([, r]) => r.role === 'traveller').map(([leg, r]) => [leg, r]))
    for (const [, p] of m.packages) if ((p.paymentDigest ?? '') !== '') bookingPayments++
    for (const [, p] of m.packages) {
      for (const l of p.legs) {
        const r = receipts.get(l.leg)
        if (r == null || !r.final) continue
        const terms = decodeLegTerms(fromHex(l.terms))
        const plan = planFromWire(terms.pricing)
        if (plan == null) continue
        const receipt = openAs(fromHex(r.envelope), 'usage-receipt', mobilityLimits.maxFrameBytes).message
        // the checkout paid the unlock fee; the period settles the rest of the receipt's fare (period-extras.ts)
        beyondFare += Math.max(terms.price, r.total) - fareNanos(plan, { seconds: receipt.seconds, metres: receipt.metres })
      }
    }
  }
  for (const o of booked) {
    const m = byNode.get(o.node)?.mobility
    const p = m?.packages.find(([id]) => id === o.package)?.[1]
    if (p == null) continue
    const receipts = new Map(m!.receipts.filter(([, r]) => r.role === 'traveller' && r.final).map(([leg, r]) => [leg, r.total]))
    paid.push(p.total + p.legs.reduce((a, l) => a + Math.max(0, (receipts.get(l.leg) ?? 0) - decodeLegTerms(fromHex(l.terms)).price), 0))
  }

  let refunds = 0
  let mobilityPeriodTx = 0
  let settled = 0
  let carrying = 0
  const vehicleEnergy = { soldWh: 0, boughtWh: 0, trades: 0, overcommitted: ev('battery-overcommitted') }
  run.nodes.forEach((n, i) => {
    const kind = f.providerKinds.get(i)
    for (const [, l] of n.mobility?.providerLegs ?? []) if ((l.refundDigest ?? '') !== '') refunds++
    const periods = n.periods ?? []
    if (kind != null) {
      for (const period of periods)
        if (period != null) mobilityPeriodTx += 1 + (period.payment != null && period.payment !== period.attestation ? 1 : 0)
      if (kind === 'cars') {
        vehicleEnergy.soldWh += n.node.stats.soldWh
        vehicleEnergy.boughtWh += n.node.stats.boughtWh
        vehicleEnergy.trades += n.trades.filter(t => t.status === 'committed').length
      }
      return
    }
    periods.forEach((period, p) => {
      if (period == null || period.payment == null || (period.receipts ?? 0) === 0) return
      settled += period.receipts
      carrying++
      const self = n.node.identity.iotaAddress
      const inPeriod = n.trades.filter(t => t.status === 'committed' && Math.floor(t.decoded.terms.slot / f.periodSlots) === p)
      const energyOnly = netTrades(inPeriod.map(t => t.decoded)).filter(o => o.from === self)
      // a payment that carries the building's root adds no transaction: the building attests anyway
      if (energyOnly.length === 0 && period.payment !== period.attestation) mobilityPeriodTx++
    })
  })
  const bookingTransactions = bookingPayments + refunds
  const per = (x: number): number => (booked.length === 0 ? 0 : round(x / booked.length))
  const kinds = [...f.providerKinds.values()]
  return {
    network: f.network,
    fleet: {
      bikes: kinds.filter(k => k === 'bikes').length,
      scooters: kinds.filter(k => k === 'scooters').length,
      cars: kinds.filter(k => k === 'cars').length,
      transitOperators: kinds.filter(k => k === 'transit').length
    },
    journeys: {
      requested: f.outcomes.length,
      tripsPerDay: f.tripsPerDay,
      booked: booked.length,
      walked: f.outcomes.filter(o => o.status === 'walked').length,
      failed: f.outcomes.filter(o => o.status === 'failed').length,
      failedBy,
      bookedByMode
    },
    holds: {
      held: ev('leg-held'),
      released: ev('leg-released'),
      expired: ev('leg-released:expired'),
      packagesReleased: ev('package-released')
    },
    perJourney: {
      doorToDoorS: mean(booked.map(o => o.journey!.doorToDoorS)),
      plannedPriceNanos: mean(booked.map(o => o.journey!.priceNanos)),
      paidNanos: mean(paid),
      co2G: mean(booked.map(o => o.journey!.co2G)),
      driveAlone: {
        doorToDoorS: mean(booked.map(o => o.baseline.seconds)),
        priceNanos: mean(booked.map(o => o.baseline.priceNanos)),
        co2G: mean(booked.map(o => o.baseline.co2G))
      }
    },
    paidBeyondFareNanos: beyondFare,
    payments: { bookingPayments, refunds, perJourney: per(bookingTransactions) },
    receipts: {
      signed: ev('receipt-signed'),
      settled,
      carryingPayments: carrying,
      perOnChainTransaction: carrying === 0 ? 0 : round(settled / carrying, 2),
      signedPerOnChainTransaction: carrying === 0 ? 0 : round(ev('receipt-signed') / carrying, 2),
      late: ev('receipt-late'),
      refused: ev('receipt-refused')
    },
    rides: { ended: ev('ride-ended') },
    quotesFailed: ev('quote-failed'),
    vehicleEnergy,
    onChain: {
      bookingTransactions,
      mobilityPeriodTransactions: mobilityPeriodTx,
      perJourney: per(bookingTransactions + mobilityPeriodTx),
      settlementPerJourney: per(mobilityPeriodTx)
    },
    ledger: { ...f.ledger, conserved: f.ledger.mintedNanos === f.ledger.balancesNanos }
  }
}
