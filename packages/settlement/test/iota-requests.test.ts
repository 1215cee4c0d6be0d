/**
 * The iota adapter's checks before anything is built, at their edges (largest accepted, first refused, every
 * message): validatePaymentRequest and validateAttestation; and the pieces of an attestation: its metadata,
 * the notarization package of each chain, the root's length. Offline (helpers/offline-transactions.ts).
 */
import { describe, expect, it } from 'vitest'
import { Transaction } from '@iota/iota-sdk/transactions'
import { SettlementError } from '../src/port.ts'
import { IotaErrorCode } from '../src/iota/errors.ts'
import { addAttestationCommands, attestationMetadata, notarizationPackageFor, validatePaymentRequest } from '../src/iota/index.ts'
import { validateAttestation } from '../src/iota/attestation.ts'
import { thrown } from './helpers/parties.ts'
import { A, B, PKG, ROOT, rootBytes } from './helpers/offline-transactions.ts'

describe('attestation pieces', () => {
  it('the metadata is JSON naming the kind, version, key and leaves', () => {
    expect(attestationMetadata('d/p', 7)).toBe('{"kind":"kvartal/attestation","v":1,"key":"d/p","leaves":7}')
  })

  it('the notarization package of each chain the IOTA Foundation published it on, none for another', () => {
    expect(notarizationPackageFor('6364aad5')).toBe('0x909ce9dcd9a5e97b7b8884fac8e018fad9dece348bf73837379b8694ff684cf3')
    expect(notarizationPackageFor('2304aa97')).toBe('0x00412bd469b7f980227c6c574090348239852e43aa07818b315854fdd8a2d25f')
    expect(notarizationPackageFor('daf90477')).toBe('0x72c8433b88e6bdee0eb02a257fdebd0ec2b6c990043f35b155cb4c5cf727fdca')
    expect(notarizationPackageFor('deadbeef')).toBeUndefined()
    expect(notarizationPackageFor('')).toBeUndefined()
  })

  it('a root of 31 or 33 bytes is refused with a RangeError', () => {
    for (const n of [31, 33, 0]) {
      const err = thrown(() => addAttestationCommands(new Transaction(), PKG, { key: 'k', root: new Uint8Array(n), leaves: 1 }))
      expect(err).toBeInstanceOf(RangeError)
      expect((err as Error).message).toBe(`a Merkle root is 32 bytes, got ${n}`)
    }
  })

  it('validateAttestation: a non-empty key, 64 hex digits of root, 0 or more whole leaves', () => {
    expect(validateAttestation('k', ROOT.toUpperCase(), 0)).toEqual(rootBytes())
    expect(validateAttestation('k', ROOT, Number.MAX_SAFE_INTEGER)).toHaveLength(32)
    const refusal = (key: unknown, root: unknown, leaves: unknown): unknown =>
      thrown(() => validateAttestation(key as string, root as string, leaves as number))
    for (const key of ['', undefined, 5])
      expect(refusal(key, ROOT, 1)).toMatchObject({
        name: 'SettlementError',
        code: IotaErrorCode.invalidRequest,
        message: 'an attestation needs a non-empty key'
      })
    for (const root of [ROOT.slice(1), ROOT + 'a', 'x' + ROOT.slice(1), ROOT.slice(1) + 'x', ' ' + ROOT, undefined]) {
      expect(refusal('k', root, 1)).toMatchObject({
        code: IotaErrorCode.invalidRequest,
        message: `attestation k: the root must be 64 hex digits (a SHA-256 Merkle root), got '${String(root)}'`
      })
    }
    for (const leaves of [-1, 1.5, NaN, Number.MAX_SAFE_INTEGER + 1, '1']) {
      expect(refusal('k', ROOT, leaves)).toMatchObject({
        code: IotaErrorCode.invalidRequest,
        message: `attestation k: leaves must be a non-negative integer, got ${String(leaves)}`
      })
    }
    expect(refusal('k', ROOT, -1)).toBeInstanceOf(SettlementError)
  })
})

describe('validatePaymentRequest', () => {
  const payer = '0x' + '0c'.repeat(32)
  const ok = (over: object = {}): any => ({ key: 'k', payer, transfers: [{ to: A, amount: 1 }], ...over })
  const refusal = (req: unknown): unknown => thrown(() => validatePaymentRequest(req as any, payer))

  it('returns the transfers with the addresses in lower case, as new objects', () => {
    const t = { to: A.toUpperCase().replace('0X', '0x'), amount: Number.MAX_SAFE_INTEGER, note: 'x' }
    const out = validatePaymentRequest(ok({ transfers: [t, { to: B, amount: 1 }], payer: payer.toUpperCase().replace('0X', '0x') }), payer)
    expect(out).toStrictEqual([
      { to: A, amount: Number.MAX_SAFE_INTEGER },
      { to: B, amount: 1 }
    ])
  })

  it('refuses a request without a key, from another payer, or without transfers', () => {
    for (const key of ['', undefined, 5])
      expect(refusal(ok({ key }))).toMatchObject({
        name: 'SettlementError',
        code: IotaErrorCode.invalidRequest,
        message: 'a payment needs a non-empty idempotency key'
      })
    expect(refusal(null)).toMatchObject({ code: IotaErrorCode.invalidRequest, message: 'a payment needs a non-empty idempotency key' })
    expect(refusal(ok({ payer: B }))).toMatchObject({
      code: IotaErrorCode.wrongPayer,
      message: `this adapter pays from ${payer}, not ${B}`
    })
    for (const transfers of [[], undefined, { 0: { to: A, amount: 1 }, length: 1 }])
      expect(refusal(ok({ transfers }))).toMatchObject({ code: IotaErrorCode.invalidRequest, message: 'payment k has no transfers' })
  })

  it('takes 511 transfers and refuses 512', () => {
    const many = (n: number) => Array.from({ length: n }, () => ({ to: A, amount: 1 }))
    expect(validatePaymentRequest(ok({ transfers: many(511) }), payer)).toHaveLength(511)
    expect(refusal(ok({ transfers: many(512) }))).toMatchObject({
      code: IotaErrorCode.invalidRequest,
      message: 'payment k has 512 transfers; one transaction carries at most 511: split it into several keys'
    })
  })

  it('refuses a transfer to anything but a full IOTA address, or of anything but a positive whole amount, naming it', () => {
    for (const to of ['0x2', A.slice(0, -1), A + 'a', 'x' + A, A.slice(2), A.slice(0, -1) + 'g', ` ${A}`, 5, undefined]) {
      expect(
        refusal(
          ok({
            transfers: [
              { to: B, amount: 1 },
              { to, amount: 1 }
            ]
          })
        )
      ).toMatchObject({
        code: IotaErrorCode.invalidRequest,
        message: `payment k, transfer 1: '${String(to)}' is not an IOTA address (0x + 64 hex)`
      })
    }
    for (const amount of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '1', NaN]) {
      expect(
        refusal(
          ok({
            transfers: [
              { to: B, amount: 1 },
              { to: A, amount }
            ]
          })
        )
      ).toMatchObject({
        code: IotaErrorCode.invalidRequest,
        message: `payment k, transfer 1: amount must be a positive integer of nanos, got ${String(amount)}`
      })
    }
  })
})
