import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Level } from 'level'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ChannelStore,
  Journal,
  PACKAGES,
  PROVIDER_LEGS,
  channelHeadLeaf,
  levelKeyValue,
  type PackageRecord,
  type ProviderLegRecord
} from '@kvartal/node'
import { identityFromSeed } from '@kvartal/mesh'
import { decodeLegTerms, encodeBookedLeg, fromHex } from '@kvartal/protocol'
import { recordHash } from '@kvartal/channels'
import { verifyInclusion } from '@kvartal/settlement'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import type { MobilityCommand, MobilityProcessConfig } from './helpers/mobility-process.ts'
import { runScript, type NodeProcess } from './helpers/processes.ts'

/**
 * Mobility write points that tests/mobility-crash.test.ts and tests/mobility-race.test.ts do not kill
 * at, each killed at in a real process and checked after restarts from the journals and the ledger. A
 * transit operator (one seat per trip) and a traveller (tests/helpers/mobility-process.ts, told what to
 * book on stdin) settle through the `iota` adapter against FakeIotaRpc, a TEST DOUBLE of an IOTA full
 * node, so all see one ledger; the traveller settles a period every 4 s. One story, each restart the
 * next step's doomed process:
 *
 *   operator: counter → provider-release → provider-commit → runs on
 *   traveller: traveller-releasing (a journey whose second leg the operator refuses) → channel-open
 *              → traveller-committing (the same seat again) → period-extra → channel-proof → attested → runs on
 *
 * and a second operator whose seat a late traveller loses: the traveller dies with the seat held and
 * unpaid, the operator at provider-expire; another traveller buys the seat; the late one pays and
 * commits, and the operator dies at provider-refund, then at provider-cancelled.
 */
const script = fileURLToPath(new URL('./helpers/mobility-process.ts', import.meta.url))
const OPERATOR_SEED = '33'.repeat(32)
const TRAVELLER_SEED = '44'.repeat(32)
/** the second story's operator and its two travellers */
const SEAT_OPERATOR = '55'.repeat(32)
const LATE = '66'.repeat(32)
const OTHER = '77'.repeat(32)
const peers = new Map<string, string>()
const addrs = new Map<string, string>()

let dir: string
let rpc: FakeIotaRpc
let port: number
let port2: number
let operatorAddr = ''
let travellerAddr = ''
let operatorPeer = ''
const procs: NodeProcess[] = []
/** what each step found, for the steps after it */
const found = { counters: {} as Record<string, number>, released: '', releasedLeg: '', tripId: '', fare: 0, booked: '' }

async function freePort(): Promise<number> {
  return await new Promise(resolve => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

function run(
  role: 'operator' | 'traveller',
  env: Record<string, string> = {},
  who: { name?: string; seed?: string; holdMs?: number } = {}
): NodeProcess {
  const name = who.name ?? role
  const c: MobilityProcessConfig =
    role === 'operator'
      ? {
          role,
          dataDir: join(dir, name),
          seed: who.seed ?? OPERATOR_SEED,
          rpcUrl: rpc.url,
          listen: `/ip4/127.0.0.1/tcp/${name === 'operator' ? port : port2}`,
          bootstrap: [],
          holdMs: who.holdMs ?? 60_000,
          seats: 1
        }
      : {
          role,
          dataDir: join(dir, name),
          seed: who.seed ?? TRAVELLER_SEED,
          rpcUrl: rpc.url,
          listen: '/ip4/127.0.0.1/tcp/0',
          bootstrap: [
            who.seed == null
              ? `/ip4/127.0.0.1/tcp/${port}/p2p/${operatorPeer}`
              : `/ip4/127.0.0.1/tcp/${port2}/p2p/${peers.get(SEAT_OPERATOR)!}`
          ],
          holdMs: 60_000,
          seats: 1,
          slotMs: 2_000,
          periodSlots: 2,
          commands: true
        }
  const p = runScript(script, [JSON.stringify(c)], env, { stdin: role === 'traveller' })
  procs.push(p)
  return p
}

async function book(t: NodeProcess, c: MobilityCommand): Promise<void> {
  await t.waitFor(l => l.ready != null, 180_000)
  t.send!(JSON.stringify(c))
}

async function killedAt(p: NodeProcess, point: string): Promise<void> {
  const { signal } = await p.exited
  expect(signal, `${point}: ${p.stderr.join('').slice(-1500)}`).toBe('SIGKILL')
}

async function withJournal<T>(who: string, fn: (j: Journal) => Promise<T>): Promise<T> {
  const j = await Journal.open(join(dir, who))
  try {
    return await fn(j)
  } finally {
    await j.close()
  }
}

async function logOf(j: Journal): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = []
  for await (const e of j.log()) out.push(e)
  return out
}

/** The operator's journaled counters, read from its database as they are stored. */
async function counters(): Promise<Record<string, number>> {
  const db = new Level<string, number>(join(dir, 'operator'), { valueEncoding: 'json' })
  try {
    const out: Record<string, number> = {}
    for await (const [k, v] of db.iterator({ gte: 'counter/', lt: 'counter/~' })) out[k.slice(8)] = v
    return out
  } finally {
    await db.close()
  }
}

/** Payments on the ledger from the traveller: [digest, nanos to the operator]. */
const payments = (): Array<[string, number]> =>
  ledgerTransactions(rpc.executions).payments.flatMap(p =>
    p.sender === travellerAddr && p.transfers.length > 0
      ? [[p.digest, p.transfers.filter(t => t.to === operatorAddr).reduce((a, t) => a + Number(t.amount), 0)] as [string, number]]
      : []
  )

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-crash-mobility-'))
  rpc = await FakeIotaRpc.start()
  port = await freePort()
  port2 = await freePort()
  for (const seed of [OPERATOR_SEED, TRAVELLER_SEED, SEAT_OPERATOR, LATE, OTHER]) {
    const id = await identityFromSeed(Buffer.from(seed, 'hex'))
    peers.set(seed, id.peerId.toString())
    addrs.set(seed, id.iotaAddress)
    rpc.fund(id.iotaAddress, 50_000_000_000n)
  }
  operatorAddr = addrs.get(OPERATOR_SEED)!
  travellerAddr = addrs.get(TRAVELLER_SEED)!
  operatorPeer = peers.get(OPERATOR_SEED)!
})

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await rpc?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('mobility write points, each killed at in a real process', { timeout: 240_000 }, () => {
  it('counter: an operator killed right after journaling a counter never uses that number again', async () => {
    await killedAt(run('operator', { KVARTAL_CRASH_AT: 'counter' }), 'counter')
    found.counters = await counters()
    expect(Object.values(found.counters).length).toBeGreaterThan(0)
  })

  it(
    'traveller-releasing, provider-release: a journey whose second ' + 'leg is refused is released once, the seat freed, nothing paid',
    async () => {
      const operator = run('operator', { KVARTAL_CRASH_AT: 'provider-release' })
      await operator.waitFor(l => l.ready != null, 180_000)
      // after the restart every counter is past what was journaled before the crash
      const t1 = run('traveller', { KVARTAL_CRASH_AT: 'traveller-releasing' })
      await book(t1, { cmd: 'book', underFare: true })
      await killedAt(t1, 'traveller-releasing')
      const [[pkg, rec]] = await withJournal('traveller', async j => await j.records<PackageRecord>(PACKAGES))
      expect(rec.phase).toBe('releasing')
      expect(rec.legs.map(l => l.status).sort()).toEqual(['PENDING', 'RELEASED'])
      found.released = pkg
      found.releasedLeg = rec.legs.find(l => l.status === 'PENDING')!.leg
      found.tripId = decodeLegTerms(fromHex(rec.legs[0].terms)).resource
      // the restart resumes the release: the operator dies right after journaling it, the traveller
      // (its release unanswered: the hold would expire by itself) right after opening its trip channel
      const t2 = run('traveller', { KVARTAL_CRASH_AT: 'channel-open' })
      await killedAt(operator, 'provider-release')
      await killedAt(t2, 'channel-open')
      const now = await counters()
      for (const [name, n] of Object.entries(found.counters)) expect(now[name], name).toBeGreaterThan(n)
      await withJournal('operator', async j => {
        const leg = await j.getRecord<ProviderLegRecord>(PROVIDER_LEGS, found.releasedLeg)
        expect(leg?.status).toBe('RELEASED')
      })
      expect(payments()).toEqual([])
    }
  )

  it(
    'traveller-committing: paid, the operator dying at its commit, the traveller killed right ' +
      'after journaling that it still commits: the restart confirms against the one payment',
    async () => {
      const operator = run('operator', { KVARTAL_CRASH_AT: 'provider-commit' })
      await operator.waitFor(l => l.ready != null, 180_000)
      // the same trip's one seat again: free only if the release freed it
      const t3 = run('traveller', { KVARTAL_CRASH_AT: 'traveller-committing' })
      await book(t3, { cmd: 'book', tripId: found.tripId })
      await killedAt(operator, 'provider-commit')
      await killedAt(t3, 'traveller-committing')
      const pkgs = await withJournal('traveller', async j => await j.records<PackageRecord>(PACKAGES))
      const [pkg, rec] = pkgs.find(([id]) => id !== found.released)!
      expect([rec.phase, rec.status]).toEqual(['committing', 'PENDING'])
      found.booked = pkg
      expect(payments()).toEqual([[rec.paymentDigest, rec.total]])
      found.fare = rec.total
    }
  )

  it('period-extra, channel-proof, attested, and the rest of the story: each period ' +
    'settled and attested once, the booked leg and the trip channel proven in it', { timeout: 300_000 }, async () => {
    const operator = run('operator')
    await operator.waitFor(l => l.ready != null, 180_000)
    await killedAt(run('traveller', { KVARTAL_CRASH_AT: 'period-extra' }), 'period-extra')
    await killedAt(run('traveller', { KVARTAL_CRASH_AT: 'channel-proof' }), 'channel-proof')
    await killedAt(run('traveller', { KVARTAL_CRASH_AT: 'attested' }), 'attested')
    const t = run('traveller')
    // runs on until it settled two more periods: the one it died in, and one after
    await t.waitFor(l => l.event === 'period-settled', 90_000)
    await t.waitFor(l => l.event === 'period-settled' && t.lines.filter(x => x.event === 'period-settled').length >= 2, 90_000)
    await t.stop()
    await operator.stop()

    await withJournal('operator', async j => {
      const legs = (await j.records<ProviderLegRecord>(PROVIDER_LEGS)).map(([, r]) => r)
      // the released leg stays released (not expired, not sold); the seat was sold once, against the payment
      expect(legs.filter(l => l.package === found.released).map(l => l.status)).toEqual(['RELEASED'])
      expect(legs.filter(l => l.package === found.booked).map(l => [l.status, l.paymentDigest])).toEqual([['CONFIRMED', payments()[0][0]]])
      const log = await logOf(j)
      expect(log.filter(e => e.type === 'provider-release')).toHaveLength(1)
    })
    expect(
      payments().map(([, n]) => n),
      'one payment, the fare, for the booked package only'
    ).toEqual([found.fare])

    await withJournal('traveller', async j => {
      const released = await j.getRecord<PackageRecord>(PACKAGES, found.released)
      expect([released?.status, released?.phase]).toEqual(['RELEASED', 'done'])
      const booked = (await j.getRecord<PackageRecord>(PACKAGES, found.booked))!
      expect([booked.status, booked.phase, booked.paymentDigest]).toEqual(['CONFIRMED', 'done', payments()[0][0]])

      // channel-open: one trip channel, the one named in the journal, however often the node restarted
      const store = new ChannelStore(levelKeyValue(j.sublevel('channels')))
      const names = await j.records<{ id: string }>('channels')
      expect(names.map(([n]) => n)).toEqual(['trips'])
      expect((await store.channels()).map(c => c.id)).toEqual([names[0][1].id])

      const log = await logOf(j)
      const settled = log.filter(e => e.type === 'settled').map(e => e.period as string)
      expect(new Set(settled).size, settled.join(' ')).toBe(settled.length)
      // period-extra: each period's selection made once (a rerun after a crash settles the same one)
      const selections = log.filter(e => e.type === 'period-extra').map(e => e.id as string)
      expect(new Set(selections).size, selections.join(' ')).toBe(selections.length)
      // one attestation per period on the ledger, its root the one the period journaled
      const { payments: pays, attestations } = ledgerTransactions(rpc.executions)
      const onLedger = new Map<string, string[]>()
      for (const a of [
        ...attestations.filter(a => a.sender === travellerAddr),
        ...pays.filter(p => p.sender === travellerAddr && p.attestation != null).map(p => p.attestation!)
      ])
        onLedger.set(a.key, [...(onLedger.get(a.key) ?? []), a.root])
      const roots = new Map<string, string>()
      for (const p of settled) {
        const s = (await j.getPeriod(p))!
        expect(onLedger.get(s.attestationKey as string), p).toEqual([s.root])
        roots.set(p, s.root as string)
      }
      // attested: the booked leg is proven in exactly one settled period, and no later selection took it again
      const leg = booked.legs[0]
      const attested = await j.getRecord<{ period: string; proof: any }>('attested', `leg:${leg.leg}`)
      expect(attested).toBeDefined()
      const leaf = encodeBookedLeg(decodeLegTerms(fromHex(leg.terms)), fromHex(leg.travellerSignature), fromHex(leg.providerSignature!))
      expect(verifyInclusion(leaf, attested!.proof, roots.get(attested!.period)!)).toBe(true)
      const picked = (await j.records<{ legs: string[] }>('period-extra')).filter(([, s]) => s.legs.includes(leg.leg))
      expect(picked.map(([p]) => p)).toEqual([attested!.period])
      // channel-proof: every proven channel head is in its period's attested root
      const proofs = await j.records<{ period: string; proof: any }>('channel-proofs')
      expect(proofs.length).toBeGreaterThan(0)
      for (const [name, p] of proofs) {
        const [id, index] = name.split(':')
        const head = (await store.records(id))[Number(index)]
        expect(
          verifyInclusion(
            channelHeadLeaf({ id, index: Number(index), head: Buffer.from(recordHash(head)).toString('hex') }),
            p.proof,
            roots.get(p.period)!
          ),
          name
        ).toBe(true)
      }
    })
  })
  it('provider-expire, provider-refund, provider-cancelled: a traveller paying after its hold ran ' +
    'out and the seat was sold gets the fare back once, though the operator dies after each step', { timeout: 300_000 }, async () => {
    const op = { name: 'seat-operator', seed: SEAT_OPERATOR, holdMs: 3_000 }
    const late = { name: 'late', seed: LATE }
    const other = { name: 'other', seed: OTHER }
    const opAddr = addrs.get(SEAT_OPERATOR)!
    // the late traveller dies with its seat held and unpaid; the operator dies right after journaling that the hold ran out
    const o1 = run('operator', { KVARTAL_CRASH_AT: 'provider-expire' }, op)
    await o1.waitFor(l => l.ready != null, 180_000)
    const a1 = run('traveller', { KVARTAL_CRASH_AT: 'traveller-held' }, late)
    await book(a1, { cmd: 'book' })
    await killedAt(a1, 'traveller-held')
    await killedAt(o1, 'provider-expire')
    const [[, held]] = await withJournal('late', async j => await j.records<PackageRecord>(PACKAGES))
    const trip = decodeLegTerms(fromHex(held.legs[0].terms)).resource
    // the seat, free again, goes to another traveller
    const o2 = run('operator', { KVARTAL_CRASH_AT: 'provider-refund' }, op)
    await o2.waitFor(l => l.ready != null, 180_000)
    const b = run('traveller', {}, other)
    await book(b, { cmd: 'book', tripId: trip })
    expect((await b.waitFor(l => l.reply != null, 90_000)).reply.status).toBe('CONFIRMED')
    await b.stop()
    // the late traveller comes back, pays, commits: the seat is gone, so the operator journals the refund it owes and dies
    const a2 = run('traveller', {}, late)
    await killedAt(o2, 'provider-refund')
    expect(ledgerTransactions(rpc.executions).payments.filter(p => p.sender === opAddr && p.transfers.length > 0)).toEqual([])
    // its restart pays the refund and dies right after journaling the leg cancelled; the next one answers the traveller's retry
    await killedAt(run('operator', { KVARTAL_CRASH_AT: 'provider-cancelled' }, op), 'provider-cancelled')
    const o4 = run('operator', {}, op)
    await a2.waitFor(l => l.event === 'package-released' && l.code === 'leg-lost-after-payment', 90_000)
    await a2.stop()
    await o4.stop()

    const { payments: pays } = ledgerTransactions(rpc.executions)
    const paid = (from: string): number[] =>
      pays.filter(p => p.sender === from).flatMap(p => p.transfers.filter(t => t.to === opAddr).map(t => Number(t.amount)))
    const refunds = pays.filter(p => p.sender === opAddr && p.transfers.length > 0)
    expect(paid(addrs.get(LATE)!)).toEqual([held.total])
    expect(paid(addrs.get(OTHER)!)).toEqual([held.total])
    // one refund, the whole fare, to the traveller that lost the seat
    expect(refunds.map(p => p.transfers.map(t => [t.to, Number(t.amount)]))).toEqual([[[addrs.get(LATE)!, held.total]]])
    await withJournal('seat-operator', async j => {
      const legs = (await j.records<ProviderLegRecord>(PROVIDER_LEGS)).map(([k, r]) => ({ k, ...r }))
      const lost = legs.find(l => l.k === held.legs[0].leg)!
      expect([lost.status, lost.reason, lost.refund, lost.refundDigest]).toEqual([
        'CANCELLED',
        'expired-before-commit',
        held.total,
        refunds[0].digest
      ])
      expect(
        legs.filter(l => l.status === 'CONFIRMED'),
        'the seat sold once'
      ).toHaveLength(1)
      const log = await logOf(j)
      for (const point of ['provider-expire', 'provider-refund', 'provider-cancelled'])
        expect(
          log.filter(e => e.type === point && e.id === lost.k),
          point
        ).toHaveLength(1)
    })
    await withJournal('late', async j => {
      const [[, pkg]] = await j.records<PackageRecord>(PACKAGES)
      expect(pkg.status).toBe('CANCELLED')
      expect(pkg.legs.map(l => [l.status, l.refund, l.refundDigest])).toEqual([['CANCELLED', held.total, refunds[0].digest]])
    })
  })
})
