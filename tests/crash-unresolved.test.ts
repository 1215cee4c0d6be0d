import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Journal, PACKAGES, PROVIDER_LEGS, type PackageRecord, type ProviderLegRecord } from '@kvartal/node'
import { identityFromSeed } from '@kvartal/mesh'
import { decodeLegTerms, fromHex } from '@kvartal/protocol'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import type { MobilityCommand, MobilityProcessConfig } from './helpers/mobility-process.ts'
import { runScript, type NodeProcess } from './helpers/processes.ts'
import { fixedPort } from './helpers/fixed-port.ts'

/**
 * The write point `traveller-unresolved`, killed at in a real process: a traveller that paid for a
 * leg whose operator never confirms it before the departure, because the operator cannot see the
 * payment. The two settle through the `iota` adapter against two FakeIotaRpc instances, TEST DOUBLES
 * of IOTA full nodes: the operator's ledger is its own, so every commit is refused `payment-not-found`
 * (as from a full node that lags, or one on another network). Before the departure the traveller asks
 * again at every tick; after it, the refusal leaves the leg to a person: the traveller journals the
 * package as settle-by-hand and is killed right there. Its restart must neither pay again nor drive
 * the package again, and must still show what happened.
 */
const script = fileURLToPath(new URL('./helpers/mobility-process.ts', import.meta.url))
const OPERATOR_SEED = '88'.repeat(32)
const TRAVELLER_SEED = '99'.repeat(32)
/** a timetable dense enough (a trip within the minute) that the booked bus leaves in seconds, not minutes */
const TRIPS = 12_000

let dir: string
let ledger: FakeIotaRpc
let operatorLedger: FakeIotaRpc
let port: number
let operatorPeer = ''
let operatorAddr = ''
let travellerAddr = ''
const procs: NodeProcess[] = []

function run(role: 'operator' | 'traveller', env: Record<string, string> = {}): NodeProcess {
  const c: MobilityProcessConfig =
    role === 'operator'
      ? {
          role,
          dataDir: join(dir, role),
          seed: OPERATOR_SEED,
          rpcUrl: operatorLedger.url,
          listen: `/ip4/127.0.0.1/tcp/${port}`,
          bootstrap: [],
          holdMs: 60_000,
          seats: 1,
          trips: TRIPS
        }
      : {
          role,
          dataDir: join(dir, role),
          seed: TRAVELLER_SEED,
          rpcUrl: ledger.url,
          listen: '/ip4/127.0.0.1/tcp/0',
          bootstrap: [`/ip4/127.0.0.1/tcp/${port}/p2p/${operatorPeer}`],
          holdMs: 60_000,
          seats: 1,
          slotMs: 2_000,
          periodSlots: 2,
          commands: true,
          trips: TRIPS
        }
  const p = runScript(script, [JSON.stringify(c)], env, { stdin: role === 'traveller' })
  procs.push(p)
  return p
}

async function withJournal<T>(who: string, fn: (j: Journal) => Promise<T>): Promise<T> {
  const j = await Journal.open(join(dir, who))
  try {
    return await fn(j)
  } finally {
    await j.close()
  }
}

/** The traveller's payments on its ledger: [digest, nanos to the operator]. */
const payments = (): Array<[string, number]> =>
  ledgerTransactions(ledger.executions).payments.flatMap(p =>
    p.sender === travellerAddr && p.transfers.length > 0
      ? [[p.digest, p.transfers.filter(t => t.to === operatorAddr).reduce((a, t) => a + Number(t.amount), 0)] as [string, number]]
      : []
  )

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-crash-unresolved-'))
  ledger = await FakeIotaRpc.start()
  operatorLedger = await FakeIotaRpc.start()
  port = await fixedPort()
  const op = await identityFromSeed(Buffer.from(OPERATOR_SEED, 'hex'))
  const tr = await identityFromSeed(Buffer.from(TRAVELLER_SEED, 'hex'))
  operatorPeer = op.peerId.toString()
  operatorAddr = op.iotaAddress
  travellerAddr = tr.iotaAddress
  ledger.fund(travellerAddr, 50_000_000_000n)
  operatorLedger.fund(operatorAddr, 50_000_000_000n)
})

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await ledger?.close()
  await operatorLedger?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('traveller-unresolved, killed at in a real process', () => {
  it('paid, never confirmed before the departure: the package is journaled ' +
    'for settling by hand, and the restart pays nothing again and asks no more', { timeout: 240_000 }, async () => {
    const operator = run('operator')
    await operator.waitFor(l => l.ready != null, 180_000)
    const t1 = run('traveller', { KVARTAL_CRASH_AT: 'traveller-unresolved' })
    await t1.waitFor(l => l.ready != null, 180_000)
    t1.send!(JSON.stringify({ cmd: 'book', leadS: 20 } satisfies MobilityCommand))
    // paid on its own ledger; the operator looks on another and refuses the commit
    const { reply } = await t1.waitFor(l => l.reply != null, 90_000)
    expect([reply.status, reply.legs?.[0]?.code], JSON.stringify(reply)).toEqual(['PENDING', 'payment-not-found'])
    const { signal } = await t1.exited
    expect(signal, t1.stderr.join('').slice(-1500)).toBe('SIGKILL')
    // a refusal after the departure is not an unanswered provider: no `package-overdue`, straight to a person
    expect(t1.lines.filter(l => l.event === 'package-overdue')).toEqual([])

    const [[pkgId, rec]] = await withJournal('traveller', async j => await j.records<PackageRecord>(PACKAGES))
    const terms = decodeLegTerms(fromHex(rec.legs[0].terms))
    expect([rec.status, rec.phase]).toEqual(['PENDING', 'done'])
    expect(rec.reason).toMatch(/^settle-by-hand: leg-0 payment-not-found/)
    expect(payments()).toEqual([[rec.paymentDigest, rec.total]])
    expect(rec.total).toBe(terms.price)

    // the restart: its ticks resume unfinished packages, and this one is finished. Two periods settle meanwhile
    const t2 = run('traveller')
    await t2.waitFor(l => l.event === 'period-settled' && t2.lines.filter(x => x.event === 'period-settled').length >= 2, 90_000)
    await t2.stop()
    expect(
      t2.lines.filter(l => l.correlation === pkgId).map(l => l.event),
      'nothing more is done for the package'
    ).toEqual([])
    expect(payments(), 'paid once').toEqual([[rec.paymentDigest, rec.total]])
    const [[, after]] = await withJournal('traveller', async j => await j.records<PackageRecord>(PACKAGES))
    expect(after).toEqual(rec)
    await operator.stop()
    // the operator never confirmed a leg it could not see paid, and took nothing on its own ledger
    await withJournal('operator', async j => {
      const legs = await j.records<ProviderLegRecord>(PROVIDER_LEGS)
      expect(legs.map(([k]) => k)).toEqual([rec.legs[0].leg])
      expect(legs.map(([, l]) => l.status)).not.toContain('CONFIRMED')
    })
    expect(ledgerTransactions(operatorLedger.executions).payments.filter(p => p.transfers.some(t => t.to === operatorAddr))).toEqual([])
  })
})
