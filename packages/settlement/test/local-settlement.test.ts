/**
 * The local adapter (localSettlement) over the embedded ledger: its name, address and clock, its own refusals
 * and reads, a payment that carries a root, a key reused for another kind of transaction; and the ledger's
 * records read as receipts and attestations (toReceipt, toAttestation, attestationUnder). The setup:
 * helpers/local-ledger-rig.ts.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { toHex, type Clock } from '@kvartal/protocol'
import {
  SettlementError,
  attestationUnder,
  encodeLocalTransaction,
  localSettlement,
  toAttestation,
  toReceipt,
  type LocalLedgerRecord
} from '../src/index.ts'
import { party, rejected, thrown } from './helpers/parties.ts'
import { ROOT, withLedger } from './helpers/local-ledger-rig.ts'

const fixedClock = (ms: number): Clock => ({ now: () => ms, at: () => () => {} }) as unknown as Clock

describe('records as receipts and attestations', () => {
  const pay = (attestation?: { key: string; root: string; leaves: number }): LocalLedgerRecord & { kind: 'pay' } => ({
    kind: 'pay',
    digest: 'D',
    key: 'k',
    payer: '0xp',
    transfers: [{ to: '0xq', amount: 3 }],
    at: 9,
    ...(attestation != null ? { attestation } : {})
  })
  const alone: LocalLedgerRecord = { kind: 'attest', digest: 'E', key: 'a', attester: '0xp', root: ROOT, leaves: 4, at: 8 }

  it('toReceipt: a confirmed receipt, with the attestation the payment carries when it carries one', () => {
    expect(toReceipt(pay())).toStrictEqual({
      key: 'k',
      digest: 'D',
      status: 'confirmed',
      payer: '0xp',
      transfers: [{ to: '0xq', amount: 3 }],
      at: 9
    })
    expect(toReceipt(pay({ key: 'a', root: ROOT, leaves: 2 }))).toStrictEqual({
      key: 'k',
      digest: 'D',
      status: 'confirmed',
      payer: '0xp',
      transfers: [{ to: '0xq', amount: 3 }],
      at: 9,
      attestation: { key: 'a', digest: 'D', root: ROOT, leaves: 2, attester: '0xp', at: 9 }
    })
  })

  it('toAttestation: an attestation alone, the root a payment carries, or an Error for a payment that carries none', () => {
    expect(toAttestation(alone)).toStrictEqual({ key: 'a', digest: 'E', root: ROOT, leaves: 4, attester: '0xp', at: 8 })
    expect(toAttestation(pay({ key: 'a', root: ROOT, leaves: 2 }))).toStrictEqual({
      key: 'a',
      digest: 'D',
      root: ROOT,
      leaves: 2,
      attester: '0xp',
      at: 9
    })
    const err = thrown(() => toAttestation(pay()))
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe('transaction D attests nothing')
  })

  it('attestationUnder: only under the key it was made for', () => {
    expect(attestationUnder(undefined, 'a')).toBeUndefined()
    expect(attestationUnder(alone, 'a')).toEqual(toAttestation(alone))
    expect(attestationUnder(alone, 'k')).toBeUndefined()
    expect(attestationUnder(pay({ key: 'a', root: ROOT, leaves: 2 }), 'a')).toEqual({
      key: 'a',
      digest: 'D',
      root: ROOT,
      leaves: 2,
      attester: '0xp',
      at: 9
    })
    expect(attestationUnder(pay({ key: 'a', root: ROOT, leaves: 2 }), 'k')).toBeUndefined()
    expect(attestationUnder(pay(), 'k')).toBeUndefined()
  })
})

describe('localSettlement', () => {
  it("says it is not a network, and pays from its own address at its clock's time", async () => {
    await withLedger(async ledger => {
      const p = party(101)
      const q = party(102).address
      await ledger.mint(p.address, 100)
      const s = localSettlement(ledger, p.signer, fixedClock(4_242))
      expect(s.name).toBe('local ledger (embedded, not a network: balances and attestations live only in this data directory)')
      expect(s.address).toBe(p.address)
      const r = await s.pay({ key: 'k', payer: p.address, transfers: [{ to: q, amount: 5 }] })
      expect(r).toStrictEqual({
        key: 'k',
        digest: r.digest,
        status: 'confirmed',
        payer: p.address,
        transfers: [{ to: q, amount: 5 }],
        at: 4_242
      })
      expect(await s.balance(q)).toBe(5)
      expect(await s.payment('k')).toEqual(r)
      expect(await s.lookup(r.digest)).toEqual(r)
      const a = await s.attest('a', ROOT, 3)
      expect(a).toStrictEqual({ key: 'a', digest: a.digest, root: ROOT, leaves: 3, attester: p.address, at: 4_242 })
      // a transaction's digest is the SHA-256 of its canonical bytes
      expect(a.digest).toBe(
        createHash('sha256')
          .update(encodeLocalTransaction({ kind: 'attest', key: 'a', sender: toHex(p.signer.publicKey), root: ROOT, leaves: 3 }))
          .digest('hex')
      )
      expect(r.digest).toBe(
        createHash('sha256')
          .update(encodeLocalTransaction({ kind: 'pay', key: 'k', sender: toHex(p.signer.publicKey), transfers: [{ to: q, amount: 5 }] }))
          .digest('hex')
      )
      expect(await s.attestation('a')).toEqual(a)
      // an attestation is no payment, by key or by digest
      expect(await s.payment('a')).toBeUndefined()
      expect(await s.lookup(a.digest)).toBeUndefined()
      expect(await s.lookup('00'.repeat(32))).toBeUndefined()
      expect(await s.payment('none')).toBeUndefined()
      expect(await s.attestation('none')).toBeUndefined()
      expect(await s.attestation('k')).toBeUndefined()
    })
  })

  it('refuses to pay from another address, with nothing submitted', async () => {
    await withLedger(async ledger => {
      const p = party(101)
      const q = party(102)
      await ledger.mint(q.address, 100)
      const err = await rejected(
        localSettlement(ledger, p.signer).pay({ key: 'k', payer: q.address, transfers: [{ to: p.address, amount: 5 }] })
      )
      expect(err).toBeInstanceOf(SettlementError)
      expect(err).toMatchObject({ code: 'wrong-payer', message: `this adapter pays from ${p.address}, not ${q.address}` })
      expect(ledger.transactions).toBe(0)
    })
  })

  it('a payment that carries a root: the receipt holds it, and attestation() and attest() find it under its key', async () => {
    await withLedger(async ledger => {
      const p = party(101)
      const q = party(102).address
      await ledger.mint(p.address, 100)
      const s = localSettlement(ledger, p.signer, fixedClock(7))
      const r = await s.pay({ key: 'k', payer: p.address, transfers: [{ to: q, amount: 5 }], attest: { key: 'a', root: ROOT, leaves: 2 } })
      const carried = { key: 'a', digest: r.digest, root: ROOT, leaves: 2, attester: p.address, at: 7 }
      expect(r.attestation).toStrictEqual(carried)
      expect(await s.attestation('a')).toStrictEqual(carried)
      expect(await s.attest('a', ROOT, 2)).toStrictEqual(carried)
      // the payment is found by its own key only
      expect(await s.payment('a')).toBeUndefined()
      expect(ledger.transactions).toBe(1)
    })
  })

  it('a key that names another kind of transaction is refused as reused', async () => {
    await withLedger(async ledger => {
      const p = party(101)
      const q = party(102).address
      await ledger.mint(p.address, 100)
      const s = localSettlement(ledger, p.signer)
      const paid = await s.pay({
        key: 'k',
        payer: p.address,
        transfers: [{ to: q, amount: 5 }],
        attest: { key: 'a', root: ROOT, leaves: 2 }
      })
      const alone = await s.attest('b', ROOT, 1)
      // paying under an attestation's key, or under the key a payment's root is carried by
      expect(await rejected(s.pay({ key: 'b', payer: p.address, transfers: [{ to: q, amount: 1 }] }))).toMatchObject({
        name: 'SettlementError',
        code: 'key-reused',
        message: `key b already names another transaction (${alone.digest})`
      })
      expect(await rejected(s.pay({ key: 'a', payer: p.address, transfers: [{ to: q, amount: 1 }] }))).toMatchObject({
        name: 'SettlementError',
        code: 'key-reused',
        message: `key a already names another transaction (${paid.digest})`
      })
      // attesting under a payment's own key
      expect(await rejected(s.attest('k', ROOT, 2))).toMatchObject({
        name: 'SettlementError',
        code: 'key-reused',
        message: `key k already names a payment (${paid.digest})`
      })
      expect(await ledger.balance(q)).toBe(5)
      expect(ledger.transactions).toBe(2)
    })
  })
})
