/**
 * The embedded ledger at its edges: the documented transaction bytes and signing domain (rebuilt here from
 * the doc comment with protocol primitives alone), balances to the nano, writes one at a time, idempotency
 * by key, and a payment that carries a root found by both keys. What `submit` refuses, by class, code and
 * message: local-ledger-refusals.test.ts; the local adapter and its records as receipts:
 * local-settlement.test.ts. The setup they share: helpers/local-ledger-rig.ts.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signingDomain, toHex } from '@kvartal/protocol'
import { LocalLedger, encodeLocalTransaction, localSigningBytes } from '../src/index.ts'
import { party, rejected } from './helpers/parties.ts'
import { ROOT, signRaw, withLedger } from './helpers/local-ledger-rig.ts'

describe('transaction bytes', () => {
  it('are JSON with the fields in a fixed order, defaults filled in, attestKey last and only when there is one', () => {
    const text = (b: Uint8Array): string => new TextDecoder().decode(b)
    expect(text(encodeLocalTransaction({ kind: 'pay', key: 'k', sender: 'ab', transfers: [{ to: '0x1', amount: 2 }] }))).toBe(
      '{"kind":"pay","key":"k","sender":"ab","transfers":[{"to":"0x1","amount":2}],"root":"","leaves":0}'
    )
    expect(text(encodeLocalTransaction({ kind: 'attest', key: 'k', sender: 'ab', root: 'cd', leaves: 3 }))).toBe(
      '{"kind":"attest","key":"k","sender":"ab","transfers":[],"root":"cd","leaves":3}'
    )
    expect(
      text(encodeLocalTransaction({ kind: 'pay', key: 'k', sender: 'ab', transfers: [], root: 'cd', leaves: 0, attestKey: 'a' }))
    ).toBe('{"kind":"pay","key":"k","sender":"ab","transfers":[],"root":"cd","leaves":0,"attestKey":"a"}')
  })

  it('are signed under the domain kvartal/v1/local-ledger-tx', () => {
    const bytes = new Uint8Array([1, 2, 3])
    expect(localSigningBytes(bytes)).toEqual(new Uint8Array([...signingDomain('local-ledger-tx'), 1, 2, 3]))
    expect(new TextDecoder().decode(localSigningBytes(bytes).subarray(0, 27))).toBe('kvartal/v1/local-ledger-tx\n')
  })
})

describe('LocalLedger', () => {
  it('opens in a directory it creates, nested, readable by its owner only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-local-'))
    try {
      const nested = join(dir, 'a', 'b', 'ledger')
      const ledger = await LocalLedger.open(nested)
      expect(ledger.transactions).toBe(0)
      expect((await stat(nested)).mode & 0o777).toBe(0o700)
      await ledger.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('mints a positive whole number of nanos, and nothing else', async () => {
    await withLedger(async ledger => {
      const a = party(101).address
      expect(await ledger.balance(a)).toBe(0)
      await ledger.mint(a, 1)
      await ledger.mint(a, 2)
      expect(await ledger.balance(a)).toBe(3)
      for (const amount of [0, -1, 1.5, NaN, Number.MAX_SAFE_INTEGER + 1]) {
        const err = await rejected(ledger.mint(a, amount))
        expect(err).toBeInstanceOf(RangeError)
        expect((err as Error).message).toBe('mint a positive whole number of nanos')
      }
      expect(await ledger.balance(a)).toBe(3)
    })
  })

  it('serialises writes: concurrent mints and payments all count', async () => {
    await withLedger(async ledger => {
      const p = party(101)
      const q = party(102).address
      await Promise.all(Array.from({ length: 10 }, async () => await ledger.mint(p.address, 10)))
      expect(await ledger.balance(p.address)).toBe(100)
      await Promise.all(
        Array.from(
          { length: 5 },
          async (_, i) =>
            await ledger.submit(
              signRaw(p, { kind: 'pay', key: `k${i}`, sender: toHex(p.signer.publicKey), transfers: [{ to: q, amount: 3 }] }),
              1
            )
        )
      )
      expect(await ledger.balance(q)).toBe(15)
      expect(await ledger.balance(p.address)).toBe(85)
      expect(ledger.transactions).toBe(5)
    })
  })

  it('a failed submission does not stop the next one', async () => {
    await withLedger(async ledger => {
      const p = party(101)
      const q = party(102).address
      await ledger.mint(p.address, 5)
      const sender = toHex(p.signer.publicKey)
      const [poor, fine] = await Promise.allSettled([
        ledger.submit(signRaw(p, { kind: 'pay', key: 'a', sender, transfers: [{ to: q, amount: 6 }] }), 1),
        ledger.submit(signRaw(p, { kind: 'pay', key: 'b', sender, transfers: [{ to: q, amount: 5 }] }), 1)
      ])
      expect(poor.status).toBe('rejected')
      expect(fine.status).toBe('fulfilled')
      expect(await ledger.balance(q)).toBe(5)
    })
  })

  it('applies a payment to the nano: two transfers to one payee add up, a transfer to oneself moves nothing', async () => {
    await withLedger(async ledger => {
      const p = party(101)
      const q = party(102).address
      await ledger.mint(p.address, 100)
      await ledger.mint(q, 1)
      const sender = toHex(p.signer.publicKey)
      const rec = await ledger.submit(
        signRaw(p, {
          kind: 'pay',
          key: 'k',
          sender,
          transfers: [
            { to: q, amount: 3, memo: 'x' },
            { to: p.address, amount: 5 },
            { to: q, amount: 4 }
          ]
        }),
        123
      )
      expect([await ledger.balance(p.address), await ledger.balance(q)]).toEqual([93, 8])
      const digest = createHash('sha256')
        .update(
          new TextEncoder().encode(
            JSON.stringify({
              kind: 'pay',
              key: 'k',
              sender,
              transfers: [
                { to: q, amount: 3, memo: 'x' },
                { to: p.address, amount: 5 },
                { to: q, amount: 4 }
              ]
            })
          )
        )
        .digest('hex')
      // the record keeps each transfer's address and amount only
      expect(rec).toStrictEqual({
        kind: 'pay',
        digest,
        key: 'k',
        payer: p.address,
        transfers: [
          { to: q, amount: 3 },
          { to: p.address, amount: 5 },
          { to: q, amount: 4 }
        ],
        at: 123
      })
      expect(await ledger.byKey('k')).toEqual(rec)
      expect(await ledger.byDigest(digest)).toEqual(rec)
      expect(await ledger.byKey('nothing')).toBeUndefined()
      expect(await ledger.byDigest('00')).toBeUndefined()
    })
  })

  it('a key applied once returns its first record, whatever a later transaction under it says', async () => {
    await withLedger(async ledger => {
      const p = party(101)
      const q = party(102).address
      await ledger.mint(p.address, 100)
      const sender = toHex(p.signer.publicKey)
      const first = await ledger.submit(signRaw(p, { kind: 'pay', key: 'k', sender, transfers: [{ to: q, amount: 3 }] }), 1)
      expect(await ledger.submit(signRaw(p, { kind: 'pay', key: 'k', sender, transfers: [{ to: q, amount: 50 }] }), 2)).toEqual(first)
      expect(await ledger.submit(signRaw(p, { kind: 'attest', key: 'k', sender, root: ROOT }), 3)).toEqual(first)
      // refusals that come after the idempotency check do not apply to a known key either
      expect(await ledger.submit(signRaw(p, { kind: 'pay', key: 'k', sender, transfers: [] }), 4)).toEqual(first)
      expect(await ledger.balance(q)).toBe(3)
      expect(ledger.transactions).toBe(1)
    })
  })

  it('a payment that carries a root is found by both keys and counts as one transaction, also after a reopen', async () => {
    await withLedger(async (ledger, dir) => {
      const p = party(101)
      const q = party(102).address
      await ledger.mint(p.address, 100)
      const sender = toHex(p.signer.publicKey)
      const rec = await ledger.submit(
        signRaw(p, { kind: 'pay', key: 'k', sender, transfers: [{ to: q, amount: 3 }], attestKey: 'a', root: ROOT, leaves: 9 }),
        5
      )
      expect(rec).toMatchObject({ kind: 'pay', key: 'k', attestation: { key: 'a', root: ROOT, leaves: 9 }, at: 5 })
      expect(await ledger.byKey('a')).toEqual(rec)
      expect(ledger.transactions).toBe(1)
      await ledger.submit(signRaw(p, { kind: 'attest', key: 'b', sender, root: ROOT, leaves: 2 }), 6)
      expect(ledger.transactions).toBe(2)
      await ledger.close()
      const again = await LocalLedger.open(join(dir, 'ledger'))
      try {
        expect(again.transactions).toBe(2)
        expect(await again.byKey('a')).toEqual(rec)
        expect(await again.balance(q)).toBe(3)
      } finally {
        await again.close()
      }
    })
  })
})
