import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Journal } from '@kvartal/node'
import { identityFromSeed } from '@kvartal/mesh'
import { costNanos, decodeReading, fromHex, verifyReadingChain } from '@kvartal/protocol'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import type { EnergyProcessConfig } from './helpers/energy-process.ts'
import { runScript, type NodeProcess } from './helpers/processes.ts'

/**
 * The energy write points that tests/processes.test.ts does not kill at, each killed at in a real
 * process (tests/helpers/energy-process.ts: a node on 2-second slots with a model meter, settling
 * through the `iota` adapter against FakeIotaRpc, a TEST DOUBLE of an IOTA full node, so that both
 * processes and the test see one ledger), restarted from its data directory, and checked from the
 * journals and the ledger. One seller and one buyer run the whole story; each restart is the next
 * step's doomed process, so thirteen short processes cover nine points (`counter` is killed at in
 * tests/crash-mobility.test.ts, where a counter is a plain sequence number):
 *
 *   buyer:  key → buyer-pending (its seller's hold then runs out: the seller dies at seller-release)
 *           → buyer-void → buyer-committed → period-plan → period → runs until it settled its trades
 *   seller: seller-release → (answers the buyer's retry, trades) → meter-boundary → meter → store-iota
 *           → runs until it read and settled a period of its own
 *
 * The steps are `it`s that share the processes: each needs the one before it.
 */
const script = fileURLToPath(new URL('./helpers/energy-process.ts', import.meta.url))
const SLOT_MS = 2_000
const NEED_WH = 200
const SELL_WH = 600

let dir: string
let rpc: FakeIotaRpc
let sellerPort: number
const procs: NodeProcess[] = []
const funded = new Set<string>()

async function freePort(): Promise<number> {
  return await new Promise(resolve => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

function run(who: 'seller' | 'buyer', env: Record<string, string> = {}): NodeProcess {
  const c: EnergyProcessConfig = {
    dataDir: join(dir, who),
    rpcUrl: rpc.url,
    listen: `/ip4/127.0.0.1/tcp/${who === 'seller' ? sellerPort : 0}`,
    bootstrap: who === 'seller' ? [] : [seller.addr],
    positionWh: who === 'seller' ? SELL_WH : -NEED_WH,
    slotMs: SLOT_MS,
    periodSlots: 2,
    holdMs: 3_000,
    meter: who === 'seller'
  }
  const p = runScript(script, [JSON.stringify(c)], env)
  procs.push(p)
  // every account the test meets is funded once, as it first says it is ready
  void p
    .waitFor(l => l.ready != null, 180_000)
    .then(
      l => {
        if (!funded.has(l.address)) {
          funded.add(l.address)
          rpc.fund(l.address, 50_000_000_000n)
        }
      },
      () => {}
    )
  return p
}

/** Resolves once the wall clock has crossed `n` more slot boundaries (slots start at the epoch, every SLOT_MS). */
async function untilNextSlotBoundary(n: number): Promise<void> {
  const at = (Math.floor(Date.now() / SLOT_MS) + n) * SLOT_MS
  await new Promise(resolve => setTimeout(resolve, at - Date.now()))
}

async function killedAt(p: NodeProcess, point: string): Promise<void> {
  const { signal } = await p.exited
  expect(signal, `${point}: ${p.stderr.join('').slice(-1500)}`).toBe('SIGKILL')
}

async function withJournal<T>(who: 'seller' | 'buyer', fn: (j: Journal) => Promise<T>): Promise<T> {
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

const seller = { addr: '', address: '', proc: undefined as NodeProcess | undefined }
/** what each step found, for the steps after it */
const found = {
  seed: '',
  buyerAddress: '',
  pending: [] as string[],
  released: [] as string[],
  voided: '',
  voidedNegotiation: '',
  committed: [] as string[],
  lastSlot: 0
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-crash-energy-'))
  rpc = await FakeIotaRpc.start()
  sellerPort = await freePort()
})

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await rpc?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('energy write points, each killed at in a real process', { timeout: 240_000 }, () => {
  it('key: a buyer killed right after journaling its new key restarts as that same identity', async () => {
    await killedAt(run('buyer', { KVARTAL_CRASH_AT: 'key' }), 'key')
    const seed = await withJournal('buyer', async j => await j.loadSeed())
    expect(seed).toBeDefined()
    found.seed = Buffer.from(seed!).toString('hex')
    found.buyerAddress = (await identityFromSeed(seed!)).iotaAddress
  })

  it('seller-release: a seller killed right after journaling the release of a hold whose buyer died before confirming', async () => {
    seller.proc = run('seller', { KVARTAL_CRASH_AT: 'seller-release' })
    const ready = await seller.proc.waitFor(l => l.ready != null, 180_000)
    seller.addr = ready.ready[0]
    seller.address = ready.address
    // the buyer, restarted after `key`: the journaled key, not a new one
    const buyer = run('buyer', { KVARTAL_CRASH_AT: 'buyer-pending' })
    expect((await buyer.waitFor(l => l.ready != null, 180_000)).address, 'the key journaled before the crash').toBe(found.buyerAddress)
    await killedAt(buyer, 'buyer-pending')
    // its confirm never comes: the seller's hold expires, and the seller dies right after journaling the release
    await killedAt(seller.proc, 'seller-release')
    // (negotiations run side by side: another journal write already in flight may land before the kill)
    found.pending = await withJournal('buyer', async j => (await j.trades()).filter(t => t.status === 'pending').map(t => t.id))
    expect(found.pending.length).toBeGreaterThan(0)
    expect((await withJournal('seller', async j => (await logOf(j)).filter(e => e.type === 'release'))).length).toBeGreaterThan(0)
  })

  it('buyer-void: a buyer whose retried confirm finds the hold released, killed right after journaling the trade void', async () => {
    seller.proc = run('seller')
    await seller.proc.waitFor(l => l.ready != null, 180_000)
    const buyer = run('buyer', { KVARTAL_CRASH_AT: 'buyer-void' })
    await killedAt(buyer, 'buyer-void')
    // a trade it had journaled pending is void now
    const voided = await withJournal('buyer', async j =>
      (await j.trades()).filter(t => t.status === 'void' && found.pending.includes(t.id))
    )
    expect(voided.length).toBeGreaterThan(0)
    found.voided = voided[0].id
    found.voidedNegotiation = Buffer.from(voided[0].decoded.terms.negotiation).toString('hex')
  })

  it(
    'buyer-committed: a buyer killed right after journaling a trade the seller ' +
      'committed; then the seller side of seller-release and buyer-void holds',
    async () => {
      const buyer = run('buyer', { KVARTAL_CRASH_AT: 'buyer-committed' })
      await killedAt(buyer, 'buyer-committed')
      const trades = await withJournal('buyer', async j => await j.trades())
      const committed = trades.filter(t => t.status === 'committed')
      expect(committed.length).toBeGreaterThan(0)
      found.committed = committed.map(t => t.id)
      found.lastSlot = Math.max(...trades.filter(t => t.status !== 'void').map(t => t.decoded.terms.slot))
      for (const id of found.committed) await seller.proc!.waitFor(l => l.event === 'trade-committed' && l.correlation === id, 90_000)
      await seller.proc!.stop()
      await withJournal('seller', async j => {
        const released = (await logOf(j)).filter(e => e.type === 'release').map(e => e.negotiation as string)
        // every hold released once at most (a release the restart forgot would be released again), the
        // dead buyer's among them; a released negotiation is no trade, and no hold of it is left
        expect(new Set(released).size, released.join(' ')).toBe(released.length)
        expect(released).toContain(found.voidedNegotiation)
        const sold = await j.trades()
        for (const t of sold) expect(released).not.toContain(Buffer.from(t.decoded.terms.negotiation).toString('hex'))
        expect((await j.holds()).map(h => h.negotiation)).not.toContain(found.voidedNegotiation)
        expect(sold.map(t => t.id)).not.toContain(found.voided)
      })
    }
  )

  it('meter-boundary, meter, store-iota (seller) and period-plan, period (buyer), side by side: one ' +
    'unbroken chain of measured readings; every trade paid once, every period settled and attested once', {
    timeout: 300_000
  }, async () => {
    const sellerChain = (async () => {
      await killedAt(run('seller', { KVARTAL_CRASH_AT: 'meter-boundary' }), 'meter-boundary')
      await killedAt(run('seller', { KVARTAL_CRASH_AT: 'meter' }), 'meter')
      // down for one whole slot at least, so that the chain must show a gap: a restart on an idle machine takes
      // less than a slot (2 s), and then no slot was missed (the clock is the event waited for here)
      await untilNextSlotBoundary(2)
      // the adapter journals a transaction as submitted (three writes) before it sends it, then as
      // executed: the fourth write is the first after the ledger took it (the seller's attestation)
      await killedAt(run('seller', { KVARTAL_CRASH_AT: 'store-iota', KVARTAL_CRASH_SKIP: '3' }), 'store-iota')
      seller.proc = run('seller')
      // runs on until it read a slot of its own and settled a period after both crashes (the buyer's retries meet it)
      await seller.proc.waitFor(l => l.event === 'meter-read', 90_000)
      await seller.proc.waitFor(l => l.event === 'period-settled', 90_000)
    })()
    const buyerChain = (async () => {
      await killedAt(run('buyer', { KVARTAL_CRASH_AT: 'period-plan' }), 'period-plan')
      await killedAt(run('buyer', { KVARTAL_CRASH_AT: 'period' }), 'period')
      const buyer = run('buyer')
      // runs on until it settled the period of every trade it had when it died at buyer-committed
      await buyer.waitFor(l => l.event === 'period-settled' && l.slot + 1 >= found.lastSlot, 90_000)
      return buyer
    })()
    const [, buyer] = await Promise.all([sellerChain, buyerChain])
    await buyer.stop()
    await seller.proc!.stop()

    await withJournal('seller', async j => {
      const first = await j.firstReadingSlot()
      const last = await j.lastReadingSlot()
      const chain = (await j.readings(first!, last!)).map(h => decodeReading(fromHex(h)))
      // one record per slot from the first to the last, each linked to the one before it
      expect(verifyReadingChain(chain).problem).toBeUndefined()
      expect(chain.map(r => r.slot)).toEqual(Array.from({ length: last! - first! + 1 }, (_, i) => first! + i))
      // a reading is exactly what the meter counted between its two journaled boundaries; the slots the
      // seller was down for are gaps, never estimates
      const read = chain.filter(r => r.gap !== true)
      expect(read.length).toBeGreaterThan(0)
      for (const r of read) {
        expect([r.importWh, r.exportWh], `slot ${r.slot}`).toEqual([0, SELL_WH])
        const [a, b] = [await j.boundary(r.slot), await j.boundary(r.slot + 1)]
        expect(b!.exportWh - a!.exportWh).toBe(SELL_WH)
      }
      const gaps = chain.filter(r => r.gap === true)
      expect(gaps.length).toBeGreaterThan(0)
      for (const r of gaps)
        expect(
          (await j.boundary(r.slot)) == null || (await j.boundary(r.slot + 1)) == null,
          `gap at slot ${r.slot} with both boundaries`
        ).toBe(true)
      // store-iota: every period the seller journaled is attested once on the ledger, under its key
      const settled = (await logOf(j)).filter(e => e.type === 'settled').map(e => e.period as string)
      const keys = ledgerTransactions(rpc.executions)
        .attestations.filter(a => a.sender === seller.address)
        .map(a => a.key)
      expect(new Set(keys).size, 'one attestation per period').toBe(keys.length)
      expect(keys.sort()).toEqual(
        await Promise.all(settled.map(async p => (await j.getPeriod(p))!.attestationKey as string)).then(k => k.sort())
      )
    })

    const s = await Journal.open(join(dir, 'seller'))
    const b = await Journal.open(join(dir, 'buyer'))
    try {
      const sold = (await s.trades()).filter(t => t.role === 'seller')
      const bought = (await b.trades()).filter(t => t.role === 'buyer')
      const sc = new Set(sold.map(t => t.id))
      // no trade one-sided: what the buyer holds committed the seller holds; the void one neither
      for (const t of bought.filter(t => t.status === 'committed')) expect(sc.has(t.id), t.id).toBe(true)
      expect(bought.find(t => t.id === found.voided)?.status).toBe('void')
      expect(sc.has(found.voided)).toBe(false)
      // a restart counted what it had committed: no slot bought or sold beyond the position
      const per = (ts: typeof sold): Map<number, number> => {
        const m = new Map<number, number>()
        for (const t of ts) m.set(t.decoded.terms.slot, (m.get(t.decoded.terms.slot) ?? 0) + t.decoded.terms.energyWh)
        return m
      }
      for (const [slot, wh] of per(bought.filter(t => t.status !== 'void')))
        expect(wh, `bought in slot ${slot}`).toBeLessThanOrEqual(NEED_WH)
      for (const [slot, wh] of per(sold)) expect(wh, `sold in slot ${slot}`).toBeLessThanOrEqual(SELL_WH)

      const log = await logOf(b)
      const settling = log.filter(e => e.type === 'settling').map(e => e.period as string)
      const settled = log.filter(e => e.type === 'settled').map(e => e.period as string)
      // every period planned once and journaled once
      expect(new Set(settling).size, settling.join(' ')).toBe(settling.length)
      expect(new Set(settled).size, settled.join(' ')).toBe(settled.length)
      expect(settled.length).toBeGreaterThan(1)
      // a settled period's trades are committed ones, each in one plan; the trades of buyer-committed are settled; the void one is not
      const planned = (await Promise.all(settled.map(async p => await b.getPeriodPlan(p)))).flat() as string[]
      expect(new Set(planned).size).toBe(planned.length)
      const committed = new Map(bought.filter(t => t.status === 'committed').map(t => [t.id, t.decoded.terms]))
      for (const id of planned) expect(committed.has(id), id).toBe(true)
      for (const id of found.committed) expect(planned).toContain(id)
      expect(planned).not.toContain(found.voided)
      // the ledger: the buyer paid the seller exactly the settled trades' cost, once; one attestation per period
      const { payments, attestations } = ledgerTransactions(rpc.executions)
      const mine = payments.filter(p => p.sender === found.buyerAddress)
      const toSeller = mine
        .flatMap(p => p.transfers)
        .filter(t => t.to === seller.address)
        .reduce((a, t) => a + Number(t.amount), 0)
      expect(toSeller).toBe(planned.reduce((a, id) => a + costNanos(committed.get(id)!.energyWh, committed.get(id)!.price), 0))
      const keys = [
        ...mine.flatMap(p => (p.attestation != null ? [p.attestation.key] : [])),
        ...attestations.filter(a => a.sender === found.buyerAddress).map(a => a.key)
      ]
      expect(new Set(keys).size, 'one attestation per period').toBe(keys.length)
      expect(keys.sort()).toEqual(
        await Promise.all(settled.map(async p => (await b.getPeriod(p))!.attestationKey as string)).then(k => k.sort())
      )
    } finally {
      await s.close()
      await b.close()
    }
  })
})
