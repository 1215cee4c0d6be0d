/**
 * Property tests of netting and of Merkle proofs, each against a reference of its own that shares no
 * helper with the code it checks:
 * - netting: addresses are blake2b-256 of the public key computed here, costs are BigInt arithmetic here
 *   (energy × price / 1000, half up, per trade), the net per pair is summed here; `netTrades` must give
 *   exactly those obligations, in pair order, whatever the order of the trades; `netPositions` sums to
 *   zero; `paymentsFor` pays each payer's obligations once, in full;
 * - Merkle trees: the root and audit paths of RFC 6962 computed recursively with node:crypto's SHA-256;
 *   every leaf's proof verifies, and no tampered proof (a bit of a sibling, another leaf, another index,
 *   a sibling more or less, another root) does; `verifyInclusion` never throws, whatever the proof holds.
 * Seeded (protocol/testing/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs them at nightly size.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { blake2b } from '@noble/hashes/blake2.js'
import type { Trade } from '@kvartal/protocol'
import { MerkleTree, netPositions, netTrades, paymentsFor, verifyInclusion, type Obligation } from '../src/index.ts'
import { fuzzParams } from '@kvartal/protocol/testing'

// ---- netting ----

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** an IOTA Rebased Ed25519 address, as DESIGN.md defines it: blake2b-256 of the bare public key */
const addressOf = (key: Uint8Array): string => '0x' + hexOf(blake2b(key, { dkLen: 32 }))

/** a handful of parties, so that pairs trade several times and both ways */
const keys = fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 2, maxLength: 5, selector: hexOf })

interface TradeSpec {
  buyer: number
  seller: number
  energyWh: number
  price: number
}
/** costs up to 10^15 nanos per trade: every sum of a few dozen stays a safe integer */
const tradeSpec = fc.record({
  buyer: fc.nat(),
  seller: fc.nat(),
  energyWh: fc.integer({ min: 1, max: 1_000_000_000 }),
  price: fc.integer({ min: 0, max: 1_000_000_000 })
})
const debtSpec = fc.record({ from: fc.nat(), to: fc.nat(), amount: fc.integer({ min: -5, max: 1_000_000_000_000 }) })

function tradesOf(ks: Uint8Array[], specs: TradeSpec[]): Trade[] {
  return specs.map((s, i) => ({
    // netting reads the parties and the money only: the id and signatures are placeholders
    id: i.toString(16).padStart(64, '0'),
    terms: {
      version: 1,
      district: 'd',
      negotiation: new Uint8Array(16),
      buyer: ks[s.buyer % ks.length],
      seller: ks[s.seller % ks.length],
      slot: 1,
      energyWh: s.energyWh,
      price: s.price,
      agreedAt: 1
    },
    buyerSignature: new Uint8Array(64),
    sellerSignature: new Uint8Array(64)
  }))
}

/** What each ordered pair owes, recomputed in BigInt from the trades and debts. */
function referenceNet(trades: readonly Trade[], debts: readonly Obligation[]): Map<string, bigint> {
  const owes = new Map<string, bigint>() // "debtor creditor" → amount (either sign)
  const add = (from: string, to: string, amount: bigint): void => {
    if (from === to) return
    owes.set(`${from} ${to}`, (owes.get(`${from} ${to}`) ?? 0n) + amount)
    owes.set(`${to} ${from}`, (owes.get(`${to} ${from}`) ?? 0n) - amount)
  }
  for (const t of trades)
    add(addressOf(t.terms.buyer), addressOf(t.terms.seller), (BigInt(t.terms.energyWh) * BigInt(t.terms.price) + 500n) / 1000n)
  for (const d of debts) if (d.amount > 0) add(d.from, d.to, BigInt(d.amount))
  return owes
}

const nettingInput = fc.tuple(keys, fc.array(tradeSpec, { maxLength: 40 }), fc.array(debtSpec, { maxLength: 8 })).map(([ks, specs, ds]) => {
  const addrs = ks.map(addressOf)
  return {
    trades: tradesOf(ks, specs),
    debts: ds.map(d => ({ from: addrs[d.from % addrs.length], to: addrs[d.to % addrs.length], amount: d.amount }))
  }
})

describe('netting against a BigInt reference', () => {
  test.prop([nettingInput], fuzzParams(300, 20))(
    'one obligation per pair that owes, to the nano, in pair order; nothing for a pair that nets to zero',
    ({ trades, debts }) => {
      const out = netTrades(trades, debts)
      const ref = referenceNet(trades, debts)
      const expected = [...ref]
        .filter(([, v]) => v > 0n)
        .map(([pair, v]) => {
          const [from, to] = pair.split(' ')
          return { from, to, amount: v }
        })
      expect(out.map(o => ({ ...o, amount: BigInt(o.amount) })).sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1))).toEqual(
        expected.sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1))
      )
      for (const o of out) {
        expect(Number.isSafeInteger(o.amount) && o.amount > 0).toBe(true)
        expect(o.from).not.toBe(o.to)
      }
      // in the order of each pair's lower address, then its higher one
      const pairKey = (o: Obligation): string => (o.from < o.to ? `${o.from} ${o.to}` : `${o.to} ${o.from}`)
      expect(out.map(pairKey)).toEqual(out.map(pairKey).sort())
      expect(new Set(out.map(pairKey)).size).toBe(out.length)
    }
  )

  test.prop([nettingInput, fc.nat()], fuzzParams(300, 20))(
    'the order of the trades and debts changes nothing',
    ({ trades, debts }, salt) => {
      const shuffle = <T>(xs: readonly T[]): T[] =>
        xs
          .map((x, i) => ({ x, k: (i * 2654435761 + salt) % 4294967296 }))
          .sort((a, b) => a.k - b.k)
          .map(p => p.x)
      expect(netTrades(shuffle(trades), shuffle(debts))).toEqual(netTrades(trades, debts))
    }
  )

  test.prop([nettingInput, fc.string({ minLength: 1, maxLength: 12 })], fuzzParams(300, 20))(
    "net positions sum to zero and match the reference; payments pay each payer's obligations once, in full",
    ({ trades, debts }, prefix) => {
      const out = netTrades(trades, debts)
      const positions = netPositions(out)
      expect([...positions.values()].reduce((a, b) => a + b, 0)).toBe(0)
      const ref = referenceNet(trades, debts)
      const refPosition = new Map<string, bigint>()
      for (const [pair, v] of ref) {
        const [from] = pair.split(' ')
        refPosition.set(from, (refPosition.get(from) ?? 0n) - v)
      }
      for (const [addr, p] of positions) expect(BigInt(p)).toBe(refPosition.get(addr) ?? 0n)
      for (const [addr, p] of refPosition) if (p !== 0n) expect(BigInt(positions.get(addr) ?? 0)).toBe(p)

      const payments = paymentsFor(out, prefix)
      expect(new Set(payments.map(p => p.payer)).size).toBe(payments.length)
      for (const p of payments) {
        expect(p.key).toBe(`${prefix}/${p.payer}`)
        const owed = out.filter(o => o.from === p.payer)
        expect([...p.transfers].sort((a, b) => (a.to < b.to ? -1 : 1))).toEqual(
          owed.map(o => ({ to: o.to, amount: o.amount })).sort((a, b) => (a.to < b.to ? -1 : 1))
        )
      }
      expect(payments.flatMap(p => p.transfers).length).toBe(out.length)
    }
  )
})

// ---- Merkle proofs ----

const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}
const k = (n: number): number => {
  let p = 1
  while (p * 2 < n) p *= 2
  return p
}
/** RFC 6962 §2.1: MTH(D[n]) */
function mth(d: readonly Uint8Array[]): Buffer {
  if (d.length === 0) return sha()
  if (d.length === 1) return sha(Uint8Array.of(0), d[0])
  const s = k(d.length)
  return sha(Uint8Array.of(1), mth(d.slice(0, s)), mth(d.slice(s)))
}
/** RFC 6962 §2.1.1: PATH(m, D[n]), leaf side first */
function auditPath(m: number, d: readonly Uint8Array[]): string[] {
  if (d.length <= 1) return []
  const s = k(d.length)
  return m < s
    ? [...auditPath(m, d.slice(0, s)), mth(d.slice(s)).toString('hex')]
    : [...auditPath(m - s, d.slice(s)), mth(d.slice(0, s)).toString('hex')]
}

/** distinct leaves: with two equal leaves, one's proof proves the other too, rightly */
const leaves = (max: number): fc.Arbitrary<Uint8Array[]> =>
  fc.uniqueArray(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: max, selector: hexOf })
const treeAndIndex = leaves(80).chain(ls => fc.record({ ls: fc.constant(ls), i: fc.nat({ max: ls.length - 1 }) }))

describe('Merkle proofs against RFC 6962 computed here', () => {
  test.prop([fc.uniqueArray(fc.uint8Array({ maxLength: 40 }), { maxLength: 80, selector: hexOf })], fuzzParams(300, 20))(
    'the root is MTH of the leaves, an empty tree included',
    ls => {
      expect(new MerkleTree(ls).root).toBe(mth(ls).toString('hex'))
    }
  )

  test.prop([treeAndIndex], fuzzParams(300, 20))(
    "every leaf's proof is its RFC 6962 audit path and verifies under the root",
    ({ ls, i }) => {
      const t = new MerkleTree(ls)
      const p = t.prove(i)
      expect(p).toEqual({ index: i, size: ls.length, path: auditPath(i, ls) })
      expect(verifyInclusion(ls[i], p, t.root)).toBe(true)
    }
  )

  const tamper = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 255 }) }),
    fc.record({ kind: fc.constant('leaf' as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
    fc.record({ kind: fc.constant('index' as const), to: fc.nat() }),
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('add' as const), at: fc.nat(), hash: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
    fc.record({ kind: fc.constant('root' as const), other: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
    // not a position at all: a fraction, NaN, an infinity, or a size that is not a whole number
    fc.record({
      kind: fc.constant('bad-index' as const),
      to: fc.oneof(fc.double({ noInteger: true }), fc.constantFrom(Number.NaN, Infinity, -Infinity))
    }),
    fc.record({
      kind: fc.constant('bad-size' as const),
      by: fc.oneof(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.integer({ min: 1, max: 2 ** 21 }).map(m => m * 2 ** 32)
      )
    })
  )

  test.prop([treeAndIndex, tamper], fuzzParams(300, 20))('a tampered proof, leaf, index or root does not verify', ({ ls, i }, t) => {
    const tree = new MerkleTree(ls)
    const p = tree.prove(i)
    let leaf = ls[i]
    let proof = { ...p, path: [...p.path] }
    let root = tree.root
    if (t.kind === 'flip') {
      if (p.path.length === 0) return
      const j = t.at % p.path.length
      const b = Buffer.from(p.path[j], 'hex')
      b[t.bit >> 3] ^= 1 << (t.bit & 7)
      proof.path[j] = b.toString('hex')
    }
    if (t.kind === 'leaf') {
      if (hexOf(t.bytes) === hexOf(leaf)) return
      leaf = t.bytes
    }
    if (t.kind === 'index') {
      const j = t.to % ls.length
      if (j === i) return
      proof = { ...proof, index: j }
    }
    if (t.kind === 'drop') {
      if (p.path.length === 0) return
      proof.path.splice(t.at % p.path.length, 1)
    }
    if (t.kind === 'add') proof.path.splice(t.at % (p.path.length + 1), 0, hexOf(t.hash))
    if (t.kind === 'root') {
      if (hexOf(t.other) === root) return
      root = hexOf(t.other)
    }
    if (t.kind === 'bad-index') proof = { ...proof, index: t.to }
    if (t.kind === 'bad-size') proof = { ...proof, size: proof.size + t.by }
    expect(verifyInclusion(leaf, proof, root)).toBe(false)
  })

  it("regression: a fractional index or size, or a size 2^32 beyond the tree's, does not verify (all of them did)", () => {
    for (let n = 1; n <= 40; n++) {
      const ls = Array.from({ length: n }, (_, i) => Uint8Array.of(i, 7))
      const t = new MerkleTree(ls)
      for (let i = 0; i < n; i++) {
        const p = t.prove(i)
        expect(verifyInclusion(ls[i], p, t.root)).toBe(true)
        expect(verifyInclusion(ls[i], { ...p, index: i + 0.5 }, t.root)).toBe(false)
        expect(verifyInclusion(ls[i], { ...p, size: n + 0.001 }, t.root)).toBe(false)
        expect(verifyInclusion(ls[i], { ...p, size: n + 2 ** 32 }, t.root)).toBe(false)
      }
    }
  })

  const junkNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(Number.NaN, Infinity, -1, 2 ** 53, 2 ** 31, 2 ** 32))
  const junkHex = fc.oneof(fc.string({ maxLength: 70 }), fc.uint8Array({ maxLength: 40 }).map(hexOf), fc.constant('zz'.repeat(32)))
  test.prop(
    [
      fc.uint8Array({ maxLength: 40 }),
      junkNumber,
      junkNumber,
      fc.array(junkHex, { maxLength: 70 }),
      fc.oneof(junkHex, fc.constant(mth([]).toString('hex')))
    ],
    fuzzParams(300)
  )('any proof object gives a boolean, never an exception; a junk one proves nothing', (leaf, index, size, path, root) => {
    const r = verifyInclusion(leaf, { index, size, path }, root)
    expect(typeof r).toBe('boolean')
    // a proof that verifies must have been worked out from the leaf: with junk from a generator, none is
    expect(r).toBe(false)
  })
})
