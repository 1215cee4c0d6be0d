/**
 * The embedded ledger at its edges: the documented transaction bytes and signing domain (rebuilt here from
 * the doc comment with protocol primitives alone), every refusal of `submit` by class, code and message,
 * balances to the nano (the whole balance may be spent, one nano more may not), idempotency by key, and the
 * local adapter's own refusals and reads.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signingDomain, toHex, type Clock } from '@kvartal/protocol'
import {
  ATTESTATION_EXISTS,
  LocalLedger,
  SettlementError,
  attestationUnder,
  encodeLocalTransaction,
  localSettlement,
  localSigningBytes,
  toAttestation,
  toReceipt,
  type LocalLedgerRecord
} from '../src/index.ts'
import { party, rejected, thrown, type Party } from './helpers/parties.ts'

/** Opens a fresh ledger in a temporary directory for the length of `fn`. */
async function withLedger(fn: (ledger: LocalLedger, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kvartal-local-'))
  const ledger = await LocalLedger.open(join(dir, 'ledger'))
  try {
    await fn(ledger, dir)
  } finally {
    await ledger.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

/** Any JSON as a transaction, signed by `p` under the documented domain: what a sender hands `submit`. */
function signRaw(p: Party, tx: unknown, bytes = new TextEncoder().encode(JSON.stringify(tx))): { bytes: string; signature: string } {
  const d = new TextEncoder().encode('kvartal/v1/local-ledger-tx\n')
  return { bytes: toHex(bytes), signature: toHex(p.signer.sign(new Uint8Array([...d, ...bytes]))) }
}

const ROOT = 'ab'.repeat(32)
const fixedClock = (ms: number): Clock => ({ now: () => ms, at: () => () => {} }) as unknown as Clock

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
