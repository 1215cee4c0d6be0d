import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Journal, PACKAGES, PROVIDER_LEGS, type PackageRecord, type ProviderLegRecord } from '@kvartal/node'
import { identityFromSeed } from '@kvartal/mesh'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import type { MobilityProcessConfig } from './helpers/mobility-process.ts'
import { runScript, type NodeProcess } from './helpers/processes.ts'

/**
 * A traveller and a transit operator as real processes, each killed with SIGKILL at a step of a booking
 * and restarted from its data directory. Both settle through the `iota` adapter against FakeIotaRpc, a
 * TEST DOUBLE of an IOTA full node (a real HTTP JSON-RPC server in this process), so both see one ledger.
 * Whatever the step, they end consistent: no leg confirmed without payment, no payment without a
 * confirmed leg, no seat sold twice, no hold left forever.
 */
const script = fileURLToPath(new URL('./helpers/mobility-process.ts', import.meta.url))
const OPERATOR_SEED = '11'.repeat(32)
const TRAVELLER_SEED = '22'.repeat(32)
const HOLD_MS = 4_000

function run(c: MobilityProcessConfig, env: Record<string, string> = {}): NodeProcess {
  return runScript(script, [JSON.stringify(c)], env)
}

async function freePort(): Promise<number> {
  return await new Promise(resolve => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

describe('mobility bookings survive SIGKILL at every step (real processes, iota adapter against a JSON-RPC test double)', {
  timeout: 120_000
}, () => {
  let dir: string
  let rpc: FakeIotaRpc
  let port: number
  let operatorAddr: string
  let travellerAddr: string
  let operatorPeer: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-mobcrash-'))
    rpc = await FakeIotaRpc.start()
    port = await freePort()
    const [op, tr] = await Promise.all([
      identityFromSeed(Buffer.from(OPERATOR_SEED, 'hex')),
      identityFromSeed(Buffer.from(TRAVELLER_SEED, 'hex'))
    ])
    operatorAddr = op.iotaAddress
    travellerAddr = tr.iotaAddress
    operatorPeer = op.peerId.toString()
    rpc.fund(operatorAddr, 5_000_000_000n)
    rpc.fund(travellerAddr, 50_000_000_000n)
  })
  afterEach(async () => {
    await rpc.close()
    await rm(dir, { recursive: true, force: true })
  })

  const operator = (env: Record<string, string> = {}): NodeProcess =>
    run(
      {
        role: 'operator',
        dataDir: join(dir, 'operator'),
        seed: OPERATOR_SEED,
        rpcUrl: rpc.url,
        listen: `/ip4/127.0.0.1/tcp/${port}`,
        bootstrap: [],
        holdMs: HOLD_MS,
        seats: 2
      },
      env
    )
  const traveller = (env: Record<string, string> = {}): NodeProcess =>
    run(
      {
        role: 'traveller',
        dataDir: join(dir, 'traveller'),
        seed: TRAVELLER_SEED,
        rpcUrl: rpc.url,
        listen: '/ip4/127.0.0.1/tcp/0',
        bootstrap: [`/ip4/127.0.0.1/tcp/${port}/p2p/${operatorPeer}`],
        holdMs: HOLD_MS,
        seats: 2
      },
      env
    )

  /** Payments on the ledger from the traveller: [digest, amount to the operator]. */
  function payments(): Array<[string, number]> {
    return ledgerTransactions(rpc.executions).payments.flatMap(p =>
      p.sender === travellerAddr
        ? [[p.digest, p.transfers.filter(t => t.to === operatorAddr).reduce((a, t) => a + Number(t.amount), 0)] as [string, number]]
        : []
    )
  }

  /** Both journals, read after both processes stopped, against the ledger. */
  async function consistent(): Promise<{ pkg: PackageRecord; legs: ProviderLegRecord[] }> {
    const t = await Journal.open(join(dir, 'traveller'))
    const o = await Journal.open(join(dir, 'operator'))
    try {
      const [[, pkg]] = await t.records<PackageRecord>(PACKAGES)
      const legs = (await o.records<ProviderLegRecord>(PROVIDER_LEGS)).map(([, r]) => r)
      const paid = payments()
      const confirmed = legs.filter(l => l.status === 'CONFIRMED')
      // no seat sold twice, no hold left forever
      expect(confirmed.length).toBeLessThanOrEqual(1)
      expect(legs.filter(l => l.status === 'PENDING' && l.holdUntil <= Date.now())).toEqual([])
      if (pkg.status === 'CONFIRMED') {
        // confirmed on both sides, paid exactly once, and the operator confirmed against that very payment
        expect(confirmed).toHaveLength(1)
        expect(paid).toEqual([[pkg.paymentDigest, pkg.total]])
        expect(confirmed[0].paymentDigest).toBe(pkg.paymentDigest)
      } else {
        // nothing confirmed, nothing paid
        expect(pkg.status).toBe('RELEASED')
        expect(confirmed).toEqual([])
        expect(paid).toEqual([])
      }
      return { pkg, legs }
    } finally {
      await t.close()
      await o.close()
    }
  }

  it('a traveller killed after journaling its package and before any hold: the restart releases it, nothing paid', async () => {
    const op = operator()
    await op.waitFor(l => l.ready != null)
    const doomed = traveller({ KVARTAL_CRASH_AT: 'traveller-package' })
    expect((await doomed.exited).signal).toBe('SIGKILL')
    const again = traveller()
    await again.waitFor(l => l.event === 'package-released')
    await again.stop()
    await op.stop()
    expect((await consistent()).pkg.reason).toBe('restarted-while-holding')
  })

  it('a traveller killed with every leg held, before paying: the restart pays once and confirms', async () => {
    const op = operator()
    await op.waitFor(l => l.ready != null)
    const doomed = traveller({ KVARTAL_CRASH_AT: 'traveller-held' })
    expect((await doomed.exited).signal).toBe('SIGKILL')
    const again = traveller()
    await again.waitFor(l => l.event === 'package-booked')
    await again.stop()
    await op.stop()
    expect((await consistent()).pkg.status).toBe('CONFIRMED')
  })

  it('a traveller killed after paying and before committing: the restart commits against the same payment', async () => {
    const op = operator()
    await op.waitFor(l => l.ready != null)
    const doomed = traveller({ KVARTAL_CRASH_AT: 'traveller-paid' })
    expect((await doomed.exited).signal).toBe('SIGKILL')
    expect(payments()).toHaveLength(1)
    const again = traveller()
    await again.waitFor(l => l.event === 'package-booked')
    await again.stop()
    await op.stop()
    expect((await consistent()).pkg.status).toBe('CONFIRMED')
  })

  it(
    'an operator killed after journaling a commit and before answering: ' + "the traveller's retry is answered once, the seat sold once",
    async () => {
      const doomed = operator({ KVARTAL_CRASH_AT: 'provider-commit' })
      await doomed.waitFor(l => l.ready != null)
      const t = traveller()
      expect((await doomed.exited).signal).toBe('SIGKILL')
      const op = operator()
      await op.waitFor(l => l.ready != null)
      await t.waitFor(l => l.event === 'package-booked', 60_000)
      await t.stop()
      await op.stop()
      expect((await consistent()).pkg.status).toBe('CONFIRMED')
    }
  )

  it('an operator killed after journaling a hold and before answering: the traveller releases, the hold expires by itself', async () => {
    const doomed = operator({ KVARTAL_CRASH_AT: 'provider-hold' })
    await doomed.waitFor(l => l.ready != null)
    const t = traveller()
    expect((await doomed.exited).signal).toBe('SIGKILL')
    await t.waitFor(l => l.event === 'package-released', 30_000)
    const op = operator()
    await op.waitFor(l => l.ready != null)
    // released at restart if it expired while the operator was down, else at the tick after it expires
    await op.waitFor(l => l.event === 'leg-released' && l.code === 'expired', 30_000)
    await t.stop()
    await op.stop()
    const { legs } = await consistent()
    expect(legs.map(l => l.status)).toEqual(['EXPIRED'])
  })
})
