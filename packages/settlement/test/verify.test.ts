/**
 * verifyTradeProof: each of its four checks with the detail it gives, passing and failing, and which check
 * the result names as failed (the first that failed).
 */
import { describe, expect, it } from 'vitest'
import { encodeTrade, signTerms } from '@kvartal/protocol'
import { MerkleTree, verifyTradeProof, type Attestation } from '../src/index.ts'
import { party, trade } from './helpers/parties.ts'

function setup() {
  const seller = party(91)
  const buyer = party(92)
  const t = trade({ seller, buyer, energyWh: 10, price: 1_000, n: 1 })
  const u = trade({ seller, buyer, energyWh: 20, price: 1_000, n: 2 })
  const tree = new MerkleTree([encodeTrade(t), encodeTrade(u)])
  const held = new Map<string, Attestation>([['k', { key: 'k', root: tree.root, leaves: 2, digest: 'DIGEST', attester: seller.address }]])
  const ledger = { attestation: async (key: string) => held.get(key) }
  return { seller, buyer, t, u, tree, held, ledger }
}

describe('verifyTradeProof', () => {
  it('a trade signed by both, proved under the attested root, passes every check, each saying what it found', async () => {
    const { t, tree, ledger } = setup()
    const v = await verifyTradeProof(ledger, t, tree.prove(0), tree.root, 'k')
    expect(v).toEqual({
      ok: true,
      tradeId: t.id,
      failed: undefined,
      checks: [
        { check: 'seller-signature', ok: true, detail: 'the seller signed these terms' },
        { check: 'buyer-signature', ok: true, detail: 'the buyer signed these terms' },
        { check: 'inclusion-proof', ok: true, detail: `leaf 0 of 2 under root ${tree.root.slice(0, 16)}…` },
        { check: 'attested-root', ok: true, detail: 'attested in transaction DIGEST' }
      ]
    })
  })

  it('each check that fails says why, and the first one failed is named', async () => {
    const { seller, buyer, t, u, tree, ledger } = setup()
    const badSeller = await verifyTradeProof(
      ledger,
      { ...t, sellerSignature: signTerms(t.terms, buyer.signer) },
      tree.prove(0),
      tree.root,
      'k'
    )
    expect(badSeller.ok).toBe(false)
    expect(badSeller.failed).toBe('seller-signature')
    expect(badSeller.checks[0]).toEqual({
      check: 'seller-signature',
      ok: false,
      detail: "the seller's signature does not verify over these terms"
    })
    // the leaf is the whole trade, signatures included: another signature is another leaf
    expect(badSeller.checks.slice(1).map(c => c.ok)).toEqual([true, false, true])

    const badBuyer = await verifyTradeProof(
      ledger,
      { ...t, buyerSignature: signTerms(t.terms, seller.signer) },
      tree.prove(0),
      tree.root,
      'k'
    )
    expect(badBuyer).toMatchObject({ ok: false, failed: 'buyer-signature' })
    expect(badBuyer.checks[1]).toEqual({
      check: 'buyer-signature',
      ok: false,
      detail: "the buyer's signature does not verify over these terms"
    })

    const badProof = await verifyTradeProof(ledger, t, tree.prove(1), tree.root, 'k')
    expect(badProof).toMatchObject({ ok: false, failed: 'inclusion-proof' })
    expect(badProof.checks[2]).toEqual({
      check: 'inclusion-proof',
      ok: false,
      detail: 'the proof does not lead from this trade to the root'
    })
    expect((await verifyTradeProof(ledger, u, tree.prove(1), tree.root, 'k')).checks[2].detail).toBe(
      `leaf 1 of 2 under root ${tree.root.slice(0, 16)}…`
    )

    const unknown = await verifyTradeProof(ledger, t, tree.prove(0), tree.root, 'nowhere')
    expect(unknown).toMatchObject({ ok: false, failed: 'attested-root' })
    expect(unknown.checks[3]).toEqual({ check: 'attested-root', ok: false, detail: 'no attestation under nowhere on the ledger' })

    // a root the ledger does not hold: the proof leads to it, the ledger holds another
    const other = new MerkleTree([encodeTrade(t)])
    const wrongRoot = await verifyTradeProof(ledger, t, other.prove(0), other.root, 'k')
    expect(wrongRoot).toMatchObject({ ok: false, failed: 'attested-root' })
    expect(wrongRoot.checks[2].ok).toBe(true)
    expect(wrongRoot.checks[3]).toEqual({
      check: 'attested-root',
      ok: false,
      detail: `the ledger holds root ${tree.root.slice(0, 16)}… for k, not this one`
    })

    // all four failing: the first is named
    const all = await verifyTradeProof(
      ledger,
      { ...t, sellerSignature: new Uint8Array(64), buyerSignature: new Uint8Array(64) },
      tree.prove(1),
      'cd'.repeat(32),
      'nowhere'
    )
    expect(all.failed).toBe('seller-signature')
    expect(all.checks.map(c => c.ok)).toEqual([false, false, false, false])
  })
})
