/**
 * Pay-per-use receipt figures: `node bench/receipts.ts [receipts]`. Single-threaded, in process, no
 * network and no journal: the CPU work of both sides of a metered ride, per cumulative receipt.
 * - traveller: `UsageCheck.next` on the vehicle's report (plausibility, fare under the GBFS plan, cap),
 *   then seal (Ed25519 sign) the `usage-receipt`; also measured with opening (verifying) the vehicle's
 *   signed `usage-report` first, which is what the traveller desk does per tick;
 * - vehicle: open the sealed `usage-receipt` (decode + signature check, `openAs`), check payer, payee
 *   and ride, and apply it to its `ReceiptLedger` under the ride's pricing plan (`fareNanos`).
 * Receipts come from 400 concurrent rides of 8 travellers, interleaved tick by tick (one report per
 * 225 s tick, cumulative seconds and metres). Each figure is a whole pass over all receipts after a
 * warm-up pass; the breakdown passes time one step alone. Measurement only.
 */
import { createHash } from 'node:crypto'
import { mobilityLimits, openAs, seal, signerFromSeed, toHex, type Signer, type UsageReceipt } from '@kvartal/protocol'
import { ReceiptLedger, UsageCheck, fareNanos, type PricingPlan } from '@kvartal/mobility'
import { round, runChild } from './common.ts'

const TICK_S = 225
const RIDES = 400
const DISTRICT = 'bench'

// the scooter plan of tests/helpers/mobility.ts with a cap: unlock fee, per minute, per km after the first
const plan: PricingPlan = {
  plan_id: 'scooter-std',
  currency: 'IOTA',
  price: 15_000_000,
  per_min_pricing: [{ start: 0, rate: 3_000_000, interval: 1 }],
  per_km_pricing: [{ start: 1, rate: 5_000_000, interval: 1 }],
  max_price: 2_000_000_000
}

const signer = (label: string): Signer => signerFromSeed(new Uint8Array(createHash('sha256').update(`bench-receipts/${label}`).digest()))

interface Ride {
  leg: Uint8Array
  ride: string
  traveller: Signer
  cap: number
}
interface Report {
  ride: Ride
  seq: number
  seconds: number
  metres: number
  at: number
}

runChild('receipts', 90_000, async () => {
  const total = Number(process.argv[2] ?? 8_000)
  const perRide = Math.max(1, Math.ceil(total / RIDES))
  const travellers = Array.from({ length: 8 }, (_, i) => signer(`traveller/${i}`))
  const vehicle = signer('vehicle')
  const startMs = Date.UTC(2026, 5, 17, 8, 0)
  const bookedS = perRide * TICK_S

  const makeRides = (salt: string): Ride[] =>
    Array.from({ length: RIDES }, (_, i) => {
      const leg = new Uint8Array(createHash('sha256').update(`${salt}/ride/${i}`).digest())
      // the traveller's cap: the fare of the booked window at the quoted speed, as the traveller desk sets it
      return {
        leg,
        ride: toHex(leg),
        traveller: travellers[i % travellers.length],
        cap: fareNanos(plan, { seconds: bookedS, metres: bookedS * 5 })
      }
    })
  // tick by tick: every ride reports once per tick (cumulative use, ~4.4 m/s with some jitter)
  const makeReports = (rides: Ride[]): Report[] => {
    const out: Report[] = []
    for (let k = 1; k <= perRide; k++) {
      for (let i = 0; i < rides.length; i++) {
        const seconds = k * TICK_S
        out.push({ ride: rides[i], seq: k, seconds, metres: seconds * 4 + ((i * 37 + k * 11) % 97), at: startMs + seconds * 1000 })
      }
    }
    return out
  }

  /** Traveller: check each report, sign the cumulative receipt. Returns the envelopes, in order. */
  const travellerPass = (
    rides: Ride[],
    reports: Report[],
    sealedReports?: Uint8Array[]
  ): { ms: number; envelopes: Uint8Array[]; checkMs: number } => {
    const checks = new Map(
      rides.map(r => [
        r.ride,
        new UsageCheck({ ride: r.ride, plan, cap: r.cap, maxSecondsPerReport: bookedS + 60, maxMetresPerSecond: 60 })
      ])
    )
    const envelopes: Uint8Array[] = new Array(reports.length)
    const t0 = performance.now()
    for (let i = 0; i < reports.length; i++) {
      const r = reports[i]
      let seq = r.seq
      let seconds = r.seconds
      let metres = r.metres
      let at = r.at
      if (sealedReports != null) {
        const opened = openAs(sealedReports[i], 'usage-report', mobilityLimits.maxFrameBytes)
        if (!Buffer.from(opened.signer).equals(Buffer.from(vehicle.publicKey))) throw new Error('report not signed by the vehicle')
        ;({ seq, seconds, metres, at } = opened.message)
      }
      const now = at + 150
      const terms = checks.get(r.ride.ride)!.next({ ride: r.ride.ride, seq, usage: { seconds, metres }, at }, now)
      const receipt: UsageReceipt = {
        version: 1,
        district: DISTRICT,
        leg: r.ride.leg,
        nonce: terms.nonce,
        seconds: terms.usage.seconds,
        metres: terms.usage.metres,
        total: terms.totalNanos,
        payer: r.ride.traveller.publicKey,
        payee: vehicle.publicKey,
        issuedAt: now
      }
      envelopes[i] = seal('usage-receipt', receipt, r.ride.traveller)
    }
    const ms = performance.now() - t0
    // breakdown: the check alone, on fresh checks
    const fresh = new Map(
      rides.map(r => [
        r.ride,
        new UsageCheck({ ride: r.ride, plan, cap: r.cap, maxSecondsPerReport: bookedS + 60, maxMetresPerSecond: 60 })
      ])
    )
    const c0 = performance.now()
    for (const r of reports)
      fresh.get(r.ride.ride)!.next({ ride: r.ride.ride, seq: r.seq, usage: { seconds: r.seconds, metres: r.metres }, at: r.at }, r.at + 150)
    return { ms, envelopes, checkMs: performance.now() - c0 }
  }

  /** Vehicle: open (verify) each receipt, check it is for this vehicle and ride, apply it to the ledger. */
  const vehiclePass = (rides: Ride[], envelopes: Uint8Array[]): { ms: number; applied: number; ledger: ReceiptLedger } => {
    const known = new Map(rides.map(r => [r.ride, r]))
    const ledger = new ReceiptLedger()
    const self = Buffer.from(vehicle.publicKey)
    let applied = 0
    const t0 = performance.now()
    for (const env of envelopes) {
      const opened = openAs(env, 'usage-receipt', mobilityLimits.maxFrameBytes)
      const m = opened.message
      const ride = toHex(m.leg)
      const r = known.get(ride)
      if (
        r == null ||
        !self.equals(m.payee) ||
        !Buffer.from(opened.signer).equals(m.payer) ||
        !Buffer.from(m.payer).equals(Buffer.from(r.traveller.publicKey))
      )
        throw new Error('receipt not for this vehicle and ride')
      if (
        ledger.apply({ ride, nonce: m.nonce, usage: { seconds: m.seconds, metres: m.metres }, totalNanos: m.total }, plan, r.cap) ===
        'applied'
      )
        applied++
    }
    return { ms: performance.now() - t0, applied, ledger }
  }

  // warm-up: the JIT sees every path once
  {
    const rides = makeRides('warm-up')
    const reports = makeReports(rides).slice(0, 2_000)
    vehiclePass(rides, travellerPass(rides, reports).envelopes)
  }

  const rides = makeRides('bench')
  const reports = makeReports(rides)
  const n = reports.length
  const sealedReports = reports.map(r =>
    seal('usage-report', { leg: r.ride.leg, seq: r.seq, seconds: r.seconds, metres: r.metres, at: r.at, ended: r.seq === perRide }, vehicle)
  )

  const trav = travellerPass(rides, reports)
  const seal0 = performance.now()
  for (let i = 0; i < n; i++) {
    const r = reports[i]
    seal(
      'usage-receipt',
      {
        version: 1,
        district: DISTRICT,
        leg: r.ride.leg,
        nonce: r.seq,
        seconds: r.seconds,
        metres: r.metres,
        total: 1,
        payer: r.ride.traveller.publicKey,
        payee: vehicle.publicKey,
        issuedAt: r.at
      },
      r.ride.traveller
    )
  }
  const sealMs = performance.now() - seal0
  const travWithReport = travellerPass(rides, reports, sealedReports)

  const veh = vehiclePass(rides, trav.envelopes)
  if (veh.applied !== n) throw new Error(`only ${veh.applied} of ${n} receipts applied`)
  // every ride's held receipt is its last, at the plan's fare for its cumulative use
  for (const r of rides) {
    const last = veh.ledger.latest(r.ride)!
    if (last.nonce !== perRide || last.totalNanos !== fareNanos(plan, last.usage))
      throw new Error(`ride ${r.ride} ends at nonce ${last.nonce}, total ${last.totalNanos}`)
  }
  const open0 = performance.now()
  for (const env of trav.envelopes) openAs(env, 'usage-receipt', mobilityLimits.maxFrameBytes)
  const openMs = performance.now() - open0
  const apply0 = performance.now()
  const fresh = new ReceiptLedger()
  for (const r of reports)
    fresh.apply(
      {
        ride: r.ride.ride,
        nonce: r.seq,
        usage: { seconds: r.seconds, metres: r.metres },
        totalNanos: fareNanos(plan, { seconds: r.seconds, metres: r.metres })
      },
      plan,
      r.ride.cap
    )
  const applyWithFareMs = performance.now() - apply0

  const perSecond = (ms: number): number => Math.round(n / (ms / 1000))
  const us = (ms: number): number => round((ms * 1000) / n, 1)
  return {
    receipts: n,
    rides: RIDES,
    receiptsPerRide: perRide,
    envelopeBytes: Math.round(trav.envelopes.reduce((a, e) => a + e.length, 0) / n),
    // vehicle: openAs (decode + Ed25519 verify) + payer/payee/ride checks + ReceiptLedger.apply under the plan
    vehiclePerSecond: perSecond(veh.ms),
    vehicleUsPerReceipt: us(veh.ms),
    vehicleOpenUs: us(openMs),
    // apply alone, including the fareNanos the bench computes to build each receipt's total
    vehicleApplyUs: us(applyWithFareMs),
    // traveller: UsageCheck.next + seal (Ed25519 sign) of the usage-receipt
    travellerPerSecond: perSecond(trav.ms),
    travellerUsPerReceipt: us(trav.ms),
    travellerCheckUs: us(trav.checkMs),
    travellerSealUs: us(sealMs),
    // what the traveller desk does per tick: also open (verify) the vehicle's signed usage-report first
    travellerWithReportPerSecond: perSecond(travWithReport.ms),
    travellerWithReportUsPerReceipt: us(travWithReport.ms),
    note: 'one core, in process; excludes the journal write each side makes per receipt and the ride stream; Ed25519 through node:crypto'
  }
})
