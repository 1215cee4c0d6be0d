/**
 * Settlement figures: `node bench/settlement.ts [trades]`. Nets and batches a period of synthetic signed
 * trades among 24 parties (as each node would: net its pairs, one Merkle tree per node over its trades),
 * through the local ledger adapter, and measures trades per second, proof size and verification time.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { iotaAddress, signTerms, signerFromSeed, tradeId, type Trade, type TradeTerms } from '@kvartal/protocol'
import { LocalLedger, localSettlement, settlePeriod, verifyTradeProof, type InclusionProof } from '@kvartal/settlement'
import { percentile, round, runChild } from './common.ts'

runChild('settlement', 120_000, async () => {
  const n = Number(process.argv[2] ?? 10_000)
  const parties = Array.from({ length: 24 }, (_, i) =>
    signerFromSeed(new Uint8Array(createHash('sha256').update(`bench-party/${i}`).digest()))
  )
  const trades: Trade[] = []
  for (let i = 0; i < n; i++) {
    const s = parties[i % 24]
    const b = parties[(i * 7 + 3) % 24 === i % 24 ? (i + 1) % 24 : (i * 7 + 3) % 24]
    const terms: TradeTerms = {
      version: 1,
      district: 'bench',
      negotiation: new Uint8Array(createHash('md5').update(String(i)).digest()),
      buyer: b.publicKey,
      seller: s.publicKey,
      slot: i % 96,
      energyWh: 100 + (i % 900),
      price: 300_000_000 + (i % 700) * 1_000_000,
      agreedAt: i
    }
    trades.push({ id: tradeId(terms), terms, buyerSignature: signTerms(terms, b), sellerSignature: signTerms(terms, s) })
  }
  const dir = await mkdtemp(join(tmpdir(), 'kvartal-bench-ledger-'))
  const ledger = await LocalLedger.open(dir)
  try {
    for (const p of parties) await ledger.mint(iotaAddress(p.publicKey), 1e15)
    const t0 = performance.now()
    const results = []
    const byParty = new Map<string, Trade[]>()
    for (const t of trades)
      for (const k of [t.terms.buyer, t.terms.seller]) {
        const a = iotaAddress(k)
        byParty.set(a, [...(byParty.get(a) ?? []), t])
      }
    for (const p of parties) {
      const self = iotaAddress(p.publicKey)
      const mine = byParty.get(self) ?? []
      results.push({
        p,
        self,
        r: await settlePeriod(localSettlement(ledger, p), {
          period: 'bench/0',
          self,
          trades: mine,
          readings: [],
          tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 }
        })
      })
    }
    const settleMs = performance.now() - t0
    // verify a sample of trades as an outsider: signatures + proof + attested root
    const verifier = localSettlement(ledger, parties[0])
    const times: number[] = []
    let sizes = 0
    let count = 0
    for (let i = 0; i < Math.min(2_000, n); i++) {
      const t = trades[i]
      const { r, self } = results.find(x => iotaAddress(t.terms.seller) === x.self)!
      const proof = r.proofs.get(t.id) as InclusionProof
      const a = performance.now()
      const v = await verifyTradeProof(verifier, t, proof, r.attestation.root, `bench/0/attest/${self}`)
      times.push(performance.now() - a)
      if (!v.ok) throw new Error(`trade ${t.id} did not verify: ${v.failed}`)
      sizes += 32 * proof.path.length + 16
      count++
    }
    times.sort((x, y) => x - y)
    return {
      trades: n,
      parties: parties.length,
      settleMs: Math.round(settleMs),
      tradesPerSecond: Math.round(n / (settleMs / 1000)),
      ledgerTransactions: ledger.transactions,
      transactionsPerTrade: round(ledger.transactions / n, 4),
      proofBytesMean: Math.round(sizes / count),
      verifyMsP50: round(percentile(times, 0.5), 3),
      verifyMsP99: round(percentile(times, 0.99), 3),
      note: 'each party nets its pairs, pays once and attests one root over all its trades (both sides attest every trade)'
    }
  } finally {
    await ledger.close()
    await rm(dir, { recursive: true, force: true })
  }
})
