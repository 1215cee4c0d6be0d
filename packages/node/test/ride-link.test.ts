import { afterEach, describe, expect, it } from 'vitest'
import type { PeerId } from '@libp2p/interface'
import {
  encodeLegTerms,
  generateSeed,
  NO_CANCELLATION_FEE,
  NO_PRICING,
  systemClock,
  toHex,
  type LegTerms,
  type PricingPlanWire
} from '@kvartal/protocol'
import { createHost, identityFromSeed, type KvartalHost, type NodeIdentity } from '@kvartal/mesh'
import { RideLinks, untilConnected } from '../src/mobility/ride-link.ts'
import type { PackageLegRecord } from '../src/mobility/traveller-records.ts'

/**
 * A vehicle restarted mid-ride has lost its traveller's address; the traveller has not lost the vehicle's.
 * Real libp2p hosts over TCP on 127.0.0.1 (a fresh host knows no address, as after a restart).
 */
const hosts: KvartalHost[] = []
const aborts: AbortController[] = []
afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort()
  await Promise.all(
    hosts.splice(0).map(async h => {
      await h.stop()
    })
  )
})

async function host(seed = generateSeed()): Promise<{ host: KvartalHost; identity: NodeIdentity }> {
  const identity = await identityFromSeed(seed)
  const h = await createHost({ identity, district: 'test', transport: 'tcp', listen: ['/ip4/127.0.0.1/tcp/0'], connectionMonitor: false })
  await h.start()
  hosts.push(h)
  return { host: h, identity }
}

const perMinute: PricingPlanWire = {
  planId: 'bike',
  price: 1_000_000,
  perMinPricing: [{ start: 0, rate: 2_000_000, interval: 60, end: 0 }],
  perKmPricing: [],
  maxPrice: 0
}

/** the traveller's confirmed leg on `vehicle` from `from` to `to` (ms) */
function leg(traveller: NodeIdentity, vehicle: NodeIdentity, from: number, to: number, pricing = perMinute): PackageLegRecord {
  const terms: LegTerms = {
    version: 1,
    district: 'test',
    package: new Uint8Array(16).fill(7),
    legId: 'leg-1',
    traveller: traveller.signer.publicKey,
    provider: vehicle.signer.publicKey,
    mode: 'BICYCLE',
    resource: 'bike-1',
    from,
    to,
    units: 1,
    departureTime: from,
    arrivalTime: to,
    price: 0,
    pricing,
    cancellation: NO_CANCELLATION_FEE,
    fromStopId: '',
    toStopId: '',
    distanceM: 300,
    co2G: 2,
    toLatE6: 0,
    toLonE6: 0
  }
  return {
    legId: 'leg-1',
    leg: 'ab'.repeat(32),
    terms: toHex(encodeLegTerms(terms)),
    provider: toHex(vehicle.signer.publicKey),
    status: 'CONFIRMED',
    travellerSignature: ''
  }
}

/** resolves when `h` sees `peer`'s next `event` (not one before the call), within `ms`; false if none came */
async function next(h: KvartalHost, event: 'peer:connect' | 'peer:disconnect', peer: PeerId, ms: number): Promise<boolean> {
  return await new Promise(resolve => {
    const on = (e: CustomEvent<PeerId>): void => {
      if (e.detail.equals(peer)) {
        done()
        resolve(true)
      }
    }
    const t = setTimeout(() => {
      done()
      resolve(false)
    }, ms)
    const done = (): void => {
      clearTimeout(t)
      h.removeEventListener(event, on)
    }
    h.addEventListener(event, on)
  })
}

/** `a` dials `b`, and both have seen the connection */
async function connect(a: KvartalHost, b: KvartalHost): Promise<void> {
  const seen = untilConnected(b, a.peerId, AbortSignal.timeout(10_000))
  await a.dial(b.getMultiaddrs()[0])
  await seen
}

/** `vehicle` drops its connection to `rider`, as a restart does; resolves once the rider has seen it go */
async function drop(vehicle: KvartalHost, rider: KvartalHost): Promise<void> {
  const gone = next(rider, 'peer:disconnect', vehicle.peerId, 10_000)
  await vehicle.hangUp(rider.peerId)
  expect(await gone).toBe(true)
}

describe("a ride survives the vehicle's restart", () => {
  it('the traveller dials the vehicle it rides again when the connection drops, and leaves other peers alone', async () => {
    const now = Date.now()
    const rider = await host()
    const bike = await host()
    const other = await host()
    const signal = new AbortController()
    aborts.push(signal)
    const legs = [
      leg(rider.identity, bike.identity, now - 60_000, now + 60_000),
      leg(rider.identity, other.identity, now - 60_000, now - 30_000)
    ]
    new RideLinks({ host: rider.host, clock: systemClock, signal: signal.signal, receiptGraceMs: 5_000, confirmed: () => legs })
    await connect(rider.host, bike.host)
    await connect(rider.host, other.host)

    // the vehicle drops the connection (as a restart does): the traveller is back by itself
    const back = next(bike.host, 'peer:connect', rider.host.peerId, 10_000)
    await drop(bike.host, rider.host)
    expect(await back).toBe(true)

    // a vehicle whose ride (and its receipts' grace) is over is not dialled again
    const again = next(other.host, 'peer:connect', rider.host.peerId, 1_500)
    await drop(other.host, rider.host)
    expect(await again).toBe(false)
  })

  it('a ride without per-use pricing, or not yet started, gets no redial', async () => {
    const now = Date.now()
    const rider = await host()
    const bus = await host()
    const later = await host()
    const signal = new AbortController()
    aborts.push(signal)
    const legs = [
      leg(rider.identity, bus.identity, now - 60_000, now + 60_000, NO_PRICING),
      leg(rider.identity, later.identity, now + 60_000, now + 120_000)
    ]
    new RideLinks({ host: rider.host, clock: systemClock, signal: signal.signal, receiptGraceMs: 5_000, confirmed: () => legs })
    for (const h of [bus, later]) {
      await connect(rider.host, h.host)
      const again = next(h.host, 'peer:connect', rider.host.peerId, 1_500)
      await drop(h.host, rider.host)
      expect(await again).toBe(false)
    }
  })

  it('a vehicle that cannot dial its traveller waits for the traveller to come, and gives up when its time is out', async () => {
    const rider = await host()
    const bike = await host()
    // the vehicle knows no address of the traveller: dialling by its id fails
    await expect(bike.host.dial(rider.host.peerId, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow()
    const waiting = untilConnected(bike.host, rider.host.peerId, AbortSignal.timeout(10_000))
    await rider.host.dial(bike.host.getMultiaddrs()[0])
    await waiting
    expect(bike.host.getConnections(rider.host.peerId).length).toBeGreaterThan(0)
    // nobody comes: the wait ends with the signal's reason
    const alone = await host()
    await expect(untilConnected(alone.host, rider.host.peerId, AbortSignal.timeout(300))).rejects.toThrow()
  })
})
