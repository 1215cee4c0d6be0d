/**
 * Every refusal of the embedded ledger's `submit`, by class, code and message, and that a refused transaction
 * changes nothing: bytes that are not JSON or not signed by their sender, attestations without a proper key,
 * root or leaf count, an attestation key already taken, malformed transfers, and a payment beyond the balance
 * by one nano (the whole balance may be spent). The setup: helpers/local-ledger-rig.ts.
 */
import { describe, expect, it } from 'vitest'
import { toHex } from '@kvartal/protocol'
import { ATTESTATION_EXISTS, SettlementError } from '../src/index.ts'
import { party, rejected } from './helpers/parties.ts'
import { ROOT, signRaw, withLedger } from './helpers/local-ledger-rig.ts'

describe('LocalLedger', () => {
  describe('submit refuses', () => {
    const refusal = (code: string, message: string) => ({ name: 'SettlementError', code, message })

    it("bytes that are not JSON, and a signature that is not the sender's, changing nothing", async () => {
      await withLedger(async ledger => {
        const p = party(101)
        const q = party(102)
        const notJson = await rejected(ledger.submit(signRaw(p, null, new TextEncoder().encode('{"kind":')), 1))
        expect(notJson).toBeInstanceOf(SettlementError)
        expect(notJson).toMatchObject(refusal('malformed', 'the transaction does not decode'))
        const forged = signRaw(q, { kind: 'attest', key: 'k', sender: toHex(p.signer.publicKey), root: ROOT, leaves: 1 })
        expect(await rejected(ledger.submit(forged, 1))).toMatchObject(
          refusal('bad-signature', 'the transaction is not signed by its sender')
        )
        // signed by the sender over other bytes
        const other = signRaw(p, { kind: 'attest', key: 'k', sender: toHex(p.signer.publicKey), root: ROOT, leaves: 2 })
        const swapped = {
          bytes: signRaw(p, { kind: 'attest', key: 'k', sender: toHex(p.signer.publicKey), root: ROOT, leaves: 1 }).bytes,
          signature: other.signature
        }
        expect(await rejected(ledger.submit(swapped, 1))).toMatchObject(
          refusal('bad-signature', 'the transaction is not signed by its sender')
        )
        expect(ledger.transactions).toBe(0)
        expect(await ledger.byKey('k')).toBeUndefined()
      })
    })

    it('a payment that carries an attestation under no key of its own', async () => {
      await withLedger(async ledger => {
        const p = party(101)
        await ledger.mint(p.address, 100)
        const sender = toHex(p.signer.publicKey)
        const base = { kind: 'pay', key: 'k', sender, transfers: [{ to: party(102).address, amount: 1 }], root: ROOT, leaves: 1 }
        for (const attestKey of ['', 'k', 5]) {
          expect(await rejected(ledger.submit(signRaw(p, { ...base, attestKey }), 1))).toMatchObject(
            refusal('malformed', "a payment's attestation key must be a key of its own")
          )
        }
        expect(ledger.transactions).toBe(0)
      })
    })

    it('a carried attestation without a lower-case 64-hex root or a whole leaf count of 0 or more', async () => {
      await withLedger(async ledger => {
        const p = party(101)
        await ledger.mint(p.address, 100)
        const sender = toHex(p.signer.publicKey)
        const base = {
          kind: 'pay',
          key: 'k',
          sender,
          transfers: [{ to: party(102).address, amount: 1 }],
          attestKey: 'a',
          root: ROOT,
          leaves: 1
        }
        const message = 'an attestation carries a 32-byte hex root and a whole leaf count'
        for (const change of [
          { root: ROOT.toUpperCase() },
          { root: ROOT.slice(1) },
          { root: ROOT + 'a' },
          { root: 'x' + ROOT },
          { root: undefined },
          { leaves: -1 },
          { leaves: 1.5 },
          { leaves: undefined },
          { leaves: '1' }
        ]) {
          expect(await rejected(ledger.submit(signRaw(p, { ...base, ...change }), 1)), JSON.stringify(change)).toMatchObject(
            refusal('malformed', message)
          )
        }
        expect(ledger.transactions).toBe(0)
        // 0 leaves is a whole count
        const ok = await ledger.submit(signRaw(p, { ...base, leaves: 0 }), 1)
        expect(ok).toMatchObject({ kind: 'pay', attestation: { key: 'a', root: ROOT, leaves: 0 } })
      })
    })

    it('an attestation alone without a lower-case 64-hex root', async () => {
      await withLedger(async ledger => {
        const p = party(101)
        const sender = toHex(p.signer.publicKey)
        for (const root of [ROOT.toUpperCase(), ROOT.slice(1), ROOT + 'a', 'x' + ROOT.slice(1), ROOT.slice(1) + 'x', undefined]) {
          expect(await rejected(ledger.submit(signRaw(p, { kind: 'attest', key: 'k', sender, root, leaves: 1 }), 1))).toMatchObject(
            refusal('malformed', 'an attestation carries a 32-byte hex root')
          )
        }
        // an attestation alone has no carried key: an attestKey in it is not looked at
        const other = await ledger.submit(signRaw(p, { kind: 'attest', key: 'x', sender, root: ROOT, leaves: 1 }), 1)
        expect(
          await ledger.submit(signRaw(p, { kind: 'attest', key: 'y', sender, root: ROOT, leaves: 1, attestKey: 'x' }), 1)
        ).toMatchObject({ kind: 'attest', key: 'y' })
        expect(await ledger.byKey('x')).toEqual(other)
        // without a leaf count it attests 0 leaves
        expect(await ledger.submit(signRaw(p, { kind: 'attest', key: 'k', sender, root: ROOT }), 7)).toMatchObject({
          kind: 'attest',
          key: 'k',
          root: ROOT,
          leaves: 0,
          at: 7,
          attester: p.address
        })
      })
    })

    it('a carried attestation whose key already names a transaction (ATTESTATION_EXISTS), paying nothing', async () => {
      await withLedger(async ledger => {
        const p = party(101)
        const q = party(102).address
        await ledger.mint(p.address, 100)
        const sender = toHex(p.signer.publicKey)
        const alone = await ledger.submit(signRaw(p, { kind: 'attest', key: 'a', sender, root: ROOT, leaves: 1 }), 1)
        const err = await rejected(
          ledger.submit(
            signRaw(p, { kind: 'pay', key: 'k', sender, transfers: [{ to: q, amount: 1 }], attestKey: 'a', root: ROOT, leaves: 1 }),
            1
          )
        )
        expect(err).toMatchObject(
          refusal(ATTESTATION_EXISTS, `attestation key a already names transaction ${alone.digest}: pay without the root, and attest alone`)
        )
        expect(await ledger.balance(q)).toBe(0)
        expect(ledger.transactions).toBe(1)
      })
    })

    it('a payment without transfers, or with a transfer of nothing, a fraction, or to a malformed address', async () => {
      await withLedger(async ledger => {
        const p = party(101)
        const q = party(102).address
        await ledger.mint(p.address, 100)
        const sender = toHex(p.signer.publicKey)
        for (const transfers of [[], undefined]) {
          expect(await rejected(ledger.submit(signRaw(p, { kind: 'pay', key: 'k', sender, transfers }), 1))).toMatchObject(
            refusal('empty', 'a payment needs at least one transfer')
          )
        }
        const message = 'transfers need an IOTA address and a positive whole amount'
        for (const t of [
          { to: q, amount: 0 },
          { to: q, amount: -1 },
          { to: q, amount: 1.5 },
          { to: q, amount: '1' },
          { to: q.toUpperCase().replace('0X', '0x'), amount: 1 },
          { to: q.slice(0, -1), amount: 1 },
          { to: q + '0', amount: 1 },
          { to: 'x' + q, amount: 1 },
          { to: q.slice(2), amount: 1 }
        ]) {
          expect(
            await rejected(ledger.submit(signRaw(p, { kind: 'pay', key: 'k', sender, transfers: [{ to: q, amount: 1 }, t] }), 1)),
            JSON.stringify(t)
          ).toMatchObject(refusal('malformed', message))
        }
        expect(ledger.transactions).toBe(0)
        expect(await ledger.balance(p.address)).toBe(100)
      })
    })

    it('a payment beyond the balance by one nano; the whole balance may be spent', async () => {
      await withLedger(async ledger => {
        const p = party(101)
        const q = party(102).address
        const r = party(103).address
        await ledger.mint(p.address, 10)
        const sender = toHex(p.signer.publicKey)
        const err = await rejected(
          ledger.submit(
            signRaw(p, {
              kind: 'pay',
              key: 'k',
              sender,
              transfers: [
                { to: q, amount: 4 },
                { to: r, amount: 7 }
              ]
            }),
            1
          )
        )
        expect(err).toMatchObject(
          refusal('insufficient-balance', `${p.address} holds 10 nanos and must pay 11: fund it (on the local ledger, mint)`)
        )
        expect(ledger.transactions).toBe(0)
        const done = await ledger.submit(
          signRaw(p, {
            kind: 'pay',
            key: 'k',
            sender,
            transfers: [
              { to: q, amount: 4 },
              { to: r, amount: 6 }
            ]
          }),
          1
        )
        expect(done.kind).toBe('pay')
        expect([await ledger.balance(p.address), await ledger.balance(q), await ledger.balance(r)]).toEqual([0, 4, 6])
      })
    })
  })
})
