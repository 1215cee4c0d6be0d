import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Journal, PROVIDER_LEGS, RIDE_RECEIPTS, type ProviderLegRecord, type RideReceiptRecord } from '@kvartal/node'
import { identityFromSeed } from '@kvartal/mesh'
import { fareNanos } from '@kvartal/mobility'
import { decodeLegTerms, fromHex } from '@kvartal/protocol'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import { bikePlace, bikePricing, rideTo, type MobilityCommand, type MobilityProcessConfig } from './helpers/mobility-process.ts'
import { runScript, type NodeProcess } from './helpers/processes.ts'

/**
 * Pay per use under crashes: a rental bike and a traveller as real processes
 * (tests/helpers/mobility-process.ts), settling through the `iota` adapter against FakeIotaRpc, a TEST
 * DOUBLE of an IOTA full node, so both see one ledger. The bike meters each ride every tick (1 s) and
 * asks the traveller for a cumulative receipt; each side journals every receipt before it counts. Four
 * rides, each with a kill at one of the ride's write points:
 *
 *   A  the bike dies right after journaling a started ride      (provider-started)
 *   B  the bike dies right after journaling a receipt           (vehicle-receipt, its third)
 *   C  the bike dies right after journaling the ride's end      (provider-ended)
 *   D  the traveller dies right after journaling a receipt, before sending it (traveller-receipt, its third)
 *
 * A–C restart the bike and the ride runs on to its end: both sides hold the same final receipt for the
 * whole ride, and the bike is parked where the ride ended. D stops the ride (a receipt that does not
 * come locks the vehicle): the traveller pays what it signed, which is at most one tick more than the
 * bike holds. Afterwards the ledger holds, from the traveller to the bike, exactly each ride's final
 * receipt (the unlock fee at booking, the rest with the period), and nothing twice.
 */
const script = fileURLToPath(new URL('./helpers/mobility-process.ts', import.meta.url))
const BIKE = 'a1'.repeat(32)
const RIDER = 'b2'.repeat(32)
const SLOT_MS = 6_000
const RIDE_S = 14

let dir: string
let rpc: FakeIotaRpc
let port: number
let bikePeer = ''
let bikeAddr = ''
let riderAddr = ''
const procs: NodeProcess[] = []
let rider: NodeProcess | undefined
/** each ride's package and window, in order */
const rides: Array<{ name: 'A' | 'B' | 'C' | 'D'; package: string; from: number; to: number }> = []

async function freePort(): Promise<number> {
  return await new Promise(resolve => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

function start(role: 'vehicle' | 'traveller', env: Record<string, string> = {}): NodeProcess {
  const c: MobilityProcessConfig =
    role === 'vehicle'
      ? {
          role,
          dataDir: join(dir, 'bike'),
          seed: BIKE,
          rpcUrl: rpc.url,
          listen: `/ip4/127.0.0.1/tcp/${port}`,
          bootstrap: [],
          holdMs: 60_000,
          seats: 1,
          slotMs: SLOT_MS,
          periodSlots: 2
        }
      : {
          role,
          dataDir: join(dir, 'rider'),
          seed: RIDER,
          rpcUrl: rpc.url,
          listen: '/ip4/127.0.0.1/tcp/0',
          bootstrap: [`/ip4/127.0.0.1/tcp/${port}/p2p/${bikePeer}`],
          holdMs: 60_000,
          seats: 1,
          slotMs: SLOT_MS,
          periodSlots: 2,
          commands: true
        }
  const p = runScript(script, [JSON.stringify(c)], env, { stdin: role === 'traveller' })
  procs.push(p)
  return p
}

async function ready(p: NodeProcess): Promise<NodeProcess> {
  await p.waitFor(l => l.ready != null, 180_000)
  return p
}

/** where each ride goes: there and back */
const ways = { A: 'there', B: 'back', C: 'there', D: 'back' } as const
const near = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): boolean =>
  Math.abs(a.lat - b.lat) + Math.abs(a.lon - b.lon) < 1e-5

/** Rents the bike for RIDE_S seconds from 3 s from now; resolves with the booking once it is confirmed. */
async function rent(t: NodeProcess, name: keyof typeof ways): Promise<void> {
  const before = t.lines.filter(l => l.reply != null).length
  t.send!(JSON.stringify({ cmd: 'rent', leadS: 3, rideS: RIDE_S, way: ways[name] } satisfies MobilityCommand))
  const reply = (await t.waitFor(l => l.reply != null && t.lines.filter(x => x.reply != null).indexOf(l) >= before, 60_000)).reply
  expect(reply.status, JSON.stringify(reply)).toBe('CONFIRMED')
  rides.push({ name, package: reply.package, from: reply.from, to: reply.to })
}

async function killedAt(p: NodeProcess, point: string): Promise<void> {
  const { signal } = await p.exited
  expect(signal, `${point}: ${p.stderr.join('').slice(-1500)}`).toBe('SIGKILL')
}

/** The bike's `ride-ended` for a package, as the process printed it. */
async function rideEnded(bike: NodeProcess, pkg: string): Promise<Record<string, any>> {
  return await bike.waitFor(l => l.event === 'ride-ended' && l.correlation === pkg, 90_000)
}

async function withJournal<T>(who: string, fn: (j: Journal) => Promise<T>): Promise<T> {
  const j = await Journal.open(join(dir, who))
  try {
    return await fn(j)
  } finally {
    await j.close()
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-crash-rides-'))
  rpc = await FakeIotaRpc.start()
  port = await freePort()
  const bike = await identityFromSeed(Buffer.from(BIKE, 'hex'))
  const me = await identityFromSeed(Buffer.from(RIDER, 'hex'))
  bikePeer = bike.peerId.toString()
  bikeAddr = bike.iotaAddress
  riderAddr = me.iotaAddress
  rpc.fund(bikeAddr, 50_000_000_000n)
  rpc.fund(riderAddr, 50_000_000_000n)
})

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await rpc?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('a metered ride, killed at each of its write points', { timeout: 240_000 }, () => {
  it('provider-started, vehicle-receipt, provider-ended: the bike restarts and the ride runs on to its end', async () => {
    for (const [name, env] of [
      ['A', { KVARTAL_CRASH_AT: 'provider-started' }],
      ['B', { KVARTAL_CRASH_AT: 'vehicle-receipt', KVARTAL_CRASH_SKIP: '2' }],
      ['C', { KVARTAL_CRASH_AT: 'provider-ended' }]
    ] as const) {
      const doomed = await ready(start('vehicle', env))
      // the traveller stays up throughout: it dials the bike again when the bike drops it mid-ride (ride-link.ts)
      // and each time the bike comes back (rejoinEveryMs)
      rider ??= await ready(start('traveller'))
      await rent(rider, name)
      await killedAt(doomed, env.KVARTAL_CRASH_AT)
      const bike = start('vehicle')
      const restarted = await bike.waitFor(l => l.ready != null, 180_000)
      const pkg = rides[rides.length - 1].package
      if (name !== 'C') expect((await rideEnded(bike, pkg)).detail, name).toBe(`${RIDE_S} s, 300 m`)
      else {
        // C died after the end was journaled: the restart finds the ride over, and the bike where it left it
        // (there, not back where the ride before it ended)
        expect(near(restarted.position, rideTo), JSON.stringify(restarted.position)).toBe(true)
      }
      await bike.stop()
    }
  })

  it(
    'traveller-receipt: the traveller dies before sending a receipt ' + 'it journaled; the ride stops, and it pays what it signed',
    async () => {
      const bike = await ready(start('vehicle'))
      await rider!.stop()
      const doomed = await ready(start('traveller', { KVARTAL_CRASH_AT: 'traveller-receipt', KVARTAL_CRASH_SKIP: '2' }))
      await rent(doomed, 'D')
      await killedAt(doomed, 'traveller-receipt')
      const ended = await rideEnded(bike, rides[3].package)
      expect(ended.detail).toMatch(/receipt-late$/)
      // the restarted traveller settles its periods: every ride's fare reaches the ledger
      rider = await ready(start('traveller'))
      // until it settled the period in which D's receipts closed: its window's end and a slot's grace after it
      // (MobilityOptions.receiptGraceMs); a period is two slots from the epoch, named by its number
      const closes = rides[3].to + SLOT_MS
      await rider.waitFor(
        l => l.event === 'period-settled' && (Number(String(l.correlation).split('/')[1]) + 1) * 2 * SLOT_MS >= closes,
        90_000
      )
      await rider.stop()
      await bike.stop()
    }
  )

  it(
    'afterwards: each ride ended once, both sides hold its final ' +
      'receipt, the bike is where it parked, the ledger holds each fare once',
    async () => {
      const bikeSide = await withJournal('bike', async j => ({
        legs: new Map((await j.records<ProviderLegRecord>(PROVIDER_LEGS)).map(([leg, r]) => [r.package, { leg, r }])),
        receipts: new Map(await j.records<RideReceiptRecord>(RIDE_RECEIPTS))
      }))
      const riderSide = new Map(await withJournal('rider', async j => await j.records<RideReceiptRecord>(RIDE_RECEIPTS)))
      expect(bikeSide.legs.size).toBe(4)
      let owed = 0
      for (const ride of rides) {
        const { leg, r } = bikeSide.legs.get(ride.package)!
        const mine = bikeSide.receipts.get(leg)!
        const theirs = riderSide.get(leg)!
        expect(r.status, ride.name).toBe('ENDED')
        if (ride.name !== 'D') {
          // the whole ride, metered to its end, and one final receipt that both sides hold
          expect([r.usedSeconds, r.reason], ride.name).toEqual([RIDE_S, undefined])
          expect([mine.final, theirs.final, mine.envelope === theirs.envelope], ride.name).toEqual([true, true, true])
          expect(mine.total, ride.name).toBe(fareNanos(bikePricing, { seconds: RIDE_S, metres: 300 }))
          // parked where the ride ended
          expect(near(r.parked!, ways[ride.name] === 'there' ? rideTo : bikePlace), ride.name).toBe(true)
        } else {
          // stopped where its receipts stopped: the traveller signed one more than the bike received
          expect(r.reason).toBe('receipt-late')
          expect(theirs.nonce - 1, 'the receipt the bike never got').toBe(mine.nonce)
          expect(theirs.total).toBeGreaterThanOrEqual(mine.total)
        }
        // the ride's window is the one booked
        const terms = decodeLegTerms(fromHex(r.terms))
        expect([terms.from, terms.to], ride.name).toEqual([ride.from, ride.to])
        owed += theirs.total
      }
      // the ledger: from the traveller to the bike, each ride's unlock fee at booking and the rest of its final
      // receipt with the period: exactly what the traveller signed, and no payment twice
      const { payments } = ledgerTransactions(rpc.executions)
      const paid = payments
        .filter(p => p.sender === riderAddr)
        .reduce((a, p) => a + p.transfers.filter(t => t.to === bikeAddr).reduce((b, t) => b + Number(t.amount), 0), 0)
      expect(paid).toBe(owed)
    }
  )
})
