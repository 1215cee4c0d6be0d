import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Journal } from '@kvartal/node'
import { runKvartal, runKvartalCrashing, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'

let dir: string
let procs: NodeProcess[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-proc-'))
})
afterEach(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  procs = []
  await rm(dir, { recursive: true, force: true })
})

const start = (config: string, crashAt?: string): NodeProcess => {
  const p = crashAt != null ? runKvartalCrashing(crashAt, ['node', '--config', config]) : runKvartal(['node', '--config', config])
  procs.push(p)
  return p
}
const listening = async (p: NodeProcess): Promise<string> => (await p.waitFor(l => l.event === 'listening')).addrs[0] as string
const committed = (role: 'buyer' | 'seller') => (l: Record<string, any>) => l.event === 'trade-committed' && l.detail === role

/** Both journals, read after the processes have exited: every committed trade on both sides, none twice. */
async function checkConsistent(): Promise<{ seller: string[]; buyer: string[] }> {
  const s = await Journal.open(join(dir, 'seller'))
  const b = await Journal.open(join(dir, 'buyer'))
  try {
    const st = (await s.trades()).filter(t => t.role === 'seller')
    const bt = (await b.trades()).filter(t => t.role === 'buyer')
    const sc = st
      .filter(t => t.status === 'committed')
      .map(t => t.id)
      .sort()
    const bc = bt
      .filter(t => t.status === 'committed')
      .map(t => t.id)
      .sort()
    // a trade exists on both sides or on neither; buyer 'pending' only for trades the seller never committed
    expect(bc).toEqual(sc)
    for (const t of bt.filter(t => t.status === 'pending')) expect(sc).not.toContain(t.id)
    // no negotiation produced two trades
    const negs = st.map(t => Buffer.from(t.decoded.terms.negotiation).toString('hex'))
    expect(new Set(negs).size).toBe(negs.length)
    // no hold outlives its trade
    const holds = await s.holds()
    for (const h of holds) expect(sc).not.toContain(h.tradeId)
    return { seller: sc, buyer: bc }
  } finally {
    await s.close()
    await b.close()
  }
}

describe('kvartal node processes', { timeout: 120_000 }, () => {
  it('two processes on one machine find each other and trade, then shut down cleanly on SIGTERM', async () => {
    const seller = start(await writeNodeConfig({ dir, name: 'seller', position: [600], slotSeconds: 6 }))
    const addr = await listening(seller)
    const buyer = start(await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], slotSeconds: 6 }))
    await buyer.waitFor(committed('buyer'))
    await seller.waitFor(committed('seller'))
    expect((await seller.stop()).code).toBe(0)
    expect((await buyer.stop()).code).toBe(0)
    expect(seller.lines.some(l => l.event === 'exit')).toBe(true)
    const { seller: s } = await checkConsistent()
    expect(s.length).toBeGreaterThan(0)
  })

  it('a buyer killed after journaling a trade and before confirming it confirms it after restart: one trade, both sides', async () => {
    const seller = start(await writeNodeConfig({ dir, name: 'seller', position: [600], slotSeconds: 6 }))
    const addr = await listening(seller)
    const buyerConfig = await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], slotSeconds: 6 })
    const doomed = start(buyerConfig, 'buyer-pending')
    expect((await doomed.exited).signal).toBe('SIGKILL')
    expect(doomed.lines.some(l => l.event === 'trade-committed')).toBe(false)
    const buyer = start(buyerConfig)
    const first = await buyer.waitFor(committed('buyer'))
    await seller.waitFor(l => l.event === 'trade-committed' && l.correlation === first.correlation)
    await buyer.stop()
    await seller.stop()
    const { seller: s } = await checkConsistent()
    expect(s).toContain(first.correlation)
  })

  it("a seller killed after committing and before answering keeps the trade; the buyer's retry is answered once", async () => {
    const sellerConfig = await writeNodeConfig({ dir, name: 'seller', position: [600], slotSeconds: 6 })
    const doomed = start(sellerConfig, 'seller-commit')
    const addr = await listening(doomed)
    const buyer = start(await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], slotSeconds: 6 }))
    expect((await doomed.exited).signal).toBe('SIGKILL')
    // the trade the seller journaled as committed and died before answering (read while it is down)
    const j = await Journal.open(join(dir, 'seller'))
    const [orphan] = (await j.trades()).filter(t => t.role === 'seller' && t.status === 'committed').map(t => t.id)
    await j.close()
    expect(orphan).toBeDefined()
    // restart on the same port, so the buyer's retries reach it
    const port = /tcp\/(\d+)/.exec(addr)![1]
    const { writeFile, readFile } = await import('node:fs/promises')
    await writeFile(sellerConfig, (await readFile(sellerConfig, 'utf8')).replace('/ip4/127.0.0.1/tcp/0', `/ip4/127.0.0.1/tcp/${port}`))
    const seller = start(sellerConfig)
    await listening(seller)
    // that trade's retry, not the first trade the buyer makes afterwards (a later slot's, on a loaded
    // machine sometimes first)
    const confirmed = await buyer.waitFor(l => committed('buyer')(l) && l.correlation === orphan, 60_000)
    await buyer.stop()
    await seller.stop()
    const { seller: s, buyer: b } = await checkConsistent()
    expect(b).toContain(confirmed.correlation)
    expect(s).toContain(confirmed.correlation)
  })

  it('a seller killed after holding energy and before accepting leaks nothing: the hold expires after restart', async () => {
    const sellerConfig = await writeNodeConfig({ dir, name: 'seller', position: [600], slotSeconds: 6 })
    const doomed = start(sellerConfig, 'seller-hold')
    const addr = await listening(doomed)
    const buyer = start(await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], slotSeconds: 6 }))
    const held = await doomed.waitFor(l => l.event === 'proposal-received')
    expect((await doomed.exited).signal).toBe('SIGKILL')
    await buyer.waitFor(l => l.event === 'negotiation-failed' && l.correlation === held.correlation, 20_000)
    const seller = start(sellerConfig)
    // released at restart if it expired while the seller was down, else at the tick after it expires
    await seller.waitFor(l => l.event === 'reservation-released' && l.correlation === held.correlation, 30_000)
    await buyer.stop()
    await seller.stop()
    const s = await Journal.open(join(dir, 'seller'))
    try {
      const released: string[] = []
      for await (const e of s.log()) if (e.type === 'release') released.push(e.negotiation as string)
      expect(released).toContain(held.correlation)
      expect((await s.holds()).some(h => h.negotiation === held.correlation)).toBe(false)
      expect((await s.trades()).some(t => Buffer.from(t.decoded.terms.negotiation).toString('hex') === held.correlation)).toBe(false)
    } finally {
      await s.close()
    }
    await checkConsistent()
  })

  it("settles each period on the local ledger, and `kvartal verify` proves a trade from either side's data directory", {
    timeout: 240_000
  }, async () => {
    const seller = start(await writeNodeConfig({ dir, name: 'seller', position: [600], periodSlots: 2, slotSeconds: 6 }))
    const addr = await listening(seller)
    const buyerConfig = await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], periodSlots: 2, slotSeconds: 6 })
    const buyer = start(buyerConfig)
    const traded = await buyer.waitFor(committed('buyer'), 60_000)
    // the period of the trade's slot (or the next, if the confirm was still pending when that one settled)
    const settledWithTrades = (l: Record<string, any>) =>
      l.event === 'period-settled' && !String(l.detail).startsWith('0 trades') && traded.slot < l.slot + 2
    await buyer.waitFor(settledWithTrades, 75_000)
    await seller.waitFor(settledWithTrades, 75_000)
    await buyer.stop()
    await seller.stop()
    for (const name of ['buyer', 'seller']) {
      const v = runKvartal(['verify', traded.correlation, '--config', join(dir, `${name}.yaml`)])
      const { code } = await v.exited
      expect(code, v.stderr.join('')).toBe(0)
      expect(v.lines.map(l => l.text).join('\n')).toMatch(/ok\s+attested-root/)
      // no meter is configured: the chain holds, and every slot, the trade's too, is a gap (never the schedule's forecast)
      expect(v.lines.map(l => l.text).join('\n')).toMatch(/ok\s+meter-chain\s+period \S+: 0 slots measured, \d+ gaps/)
      expect(v.lines.map(l => l.text).join('\n')).toMatch(/gap\s+delivery\s+slot \d+ is a gap \(no meter\)/)
    }
    const unknown = runKvartal(['verify', 'ab'.repeat(32), '--config', buyerConfig])
    expect((await unknown.exited).code).toBe(2)
    expect(unknown.stderr.join('')).toContain('no trade')
  })

  it('a buyer killed after paying a period and before journaling it pays nothing twice after restart', { timeout: 240_000 }, async () => {
    const seller = start(await writeNodeConfig({ dir, name: 'seller', position: [600], periodSlots: 2, slotSeconds: 6 }))
    const addr = await listening(seller)
    const buyerConfig = await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], periodSlots: 2, slotSeconds: 6 })
    const doomed = start(buyerConfig, 'after-payment')
    await doomed.waitFor(committed('buyer'), 60_000)
    // it dies at its first settlement that paid something, right after the ledger took the payment
    expect((await doomed.exited).signal).toBe('SIGKILL')
    const buyer = start(buyerConfig)
    const settled = await buyer.waitFor(l => l.event === 'period-settled' && !String(l.detail).startsWith('0 trades'), 90_000)
    await buyer.stop()
    await seller.stop()
    const { LocalLedger } = await import('@kvartal/settlement')
    const j = await Journal.open(join(dir, 'buyer'))
    const ledger = await LocalLedger.open(join(dir, 'buyer', 'ledger'))
    try {
      const seed = (await j.loadSeed())!
      const { signerFromSeed, iotaAddress } = await import('@kvartal/protocol')
      const me = iotaAddress(signerFromSeed(seed).publicKey)
      // every committed trade the buyer holds is paid for exactly once: balance = notional − Σ cost
      const { costNanos } = await import('@kvartal/protocol')
      let settledCost = 0
      for (const t of await j.trades())
        if (t.status === 'committed' && (await j.getProof(t.id)) != null)
          settledCost += costNanos(t.decoded.terms.energyWh, t.decoded.terms.price)
      expect(settledCost).toBeGreaterThan(0)
      expect(await ledger.balance(me)).toBe(1_000 * 1_000_000_000 - settledCost)
      expect(await j.getPeriod(settled.correlation)).toBeDefined()
    } finally {
      await ledger.close()
      await j.close()
    }
  })
})
