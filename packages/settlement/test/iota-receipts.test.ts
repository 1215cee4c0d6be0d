/**
 * What the iota adapter reads as a receipt: a full node's answer (paymentOfResponse, on answers built here as a
 * node gives them: a payment that carries a root, one that failed, another shape read by its balance changes,
 * answers it refuses) and the journal's records (toPaymentReceipt, toAttestation). Transactions are built
 * offline (helpers/offline-transactions.ts).
 */
import { describe, expect, it } from 'vitest'
import { bcs } from '@iota/iota-sdk/bcs'
import type { IotaTransactionBlockResponse } from '@iota/iota-sdk/client'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import { toBase64 } from '@iota/iota-sdk/utils'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { IotaErrorCode } from '../src/iota/errors.ts'
import { buildPaymentTransaction, paymentOfResponse, transactionDataOfRaw, type TxRecord } from '../src/iota/index.ts'
import { toAttestation } from '../src/iota/attestation.ts'
import { toPaymentReceipt } from '../src/iota/payments.ts'
import { thrown } from './helpers/parties.ts'
import { A, B, PKG, ROOT, gas, keypair, message, pay, rootBytes, sender } from './helpers/offline-transactions.ts'

describe("a full node's answer read as a payment (paymentOfResponse)", () => {
  /** What a node answers for transaction `bytes` (showEffects, showRawInput, showBalanceChanges). */
  async function answer(
    tx: Transaction,
    over: Partial<IotaTransactionBlockResponse> = {}
  ): Promise<{ digest: string; response: IotaTransactionBlockResponse }> {
    const bytes = await tx.build()
    const { signature } = await keypair.signTransaction(bytes)
    const digest = TransactionDataBuilder.getDigestFromBytes(bytes)
    const rawTransaction = toBase64(
      bcs.SenderSignedData.serialize([
        {
          intentMessage: {
            intent: { scope: { TransactionData: true }, version: { V0: true }, appId: { Iota: true } },
            value: bcs.TransactionData.parse(bytes)
          },
          txSignatures: [signature]
        }
      ]).toBytes()
    )
    return {
      digest,
      response: { digest, effects: { status: { status: 'success' } } as any, rawTransaction, timestampMs: '1750000000250', ...over }
    }
  }
  const carrying = (): Transaction =>
    buildPaymentTransaction(sender, [{ to: A, amount: 5 }], gas(), {
      packageId: PKG,
      intent: { key: 'd/p/attest', root: rootBytes(), leaves: 4 }
    })

  it('a confirmed payment: payer, transfers in order, time, and the root it carries', async () => {
    const { digest, response } = await answer(carrying())
    expect(paymentOfResponse(digest, response, 'my-key')).toStrictEqual({
      key: 'my-key',
      digest,
      status: 'confirmed',
      payer: sender,
      transfers: [{ to: A, amount: 5 }],
      at: 1_750_000_000_250,
      attestation: { key: 'd/p/attest', root: ROOT, leaves: 4, digest, attester: sender, at: 1_750_000_000_250 }
    })
    const { digest: d2, response: r2 } = await answer(pay(), { timestampMs: null })
    expect(paymentOfResponse(d2, r2, '')).toStrictEqual({
      key: '',
      digest: d2,
      status: 'confirmed',
      payer: sender,
      transfers: [
        { to: A, amount: 1 },
        { to: B, amount: 2 }
      ]
    })
    const { digest: d3, response: r3 } = await answer(carrying(), { timestampMs: undefined })
    expect(paymentOfResponse(d3, r3, '')?.attestation).toStrictEqual({
      key: 'd/p/attest',
      root: ROOT,
      leaves: 4,
      digest: d3,
      attester: sender
    })
  })

  it('a failed payment: its transfers, no time, and no attestation', async () => {
    const { digest, response } = await answer(carrying(), {
      effects: { status: { status: 'failure', error: 'InsufficientCoinBalance' } } as any
    })
    expect(paymentOfResponse(digest, response, 'k')).toStrictEqual({
      key: 'k',
      digest,
      status: 'failed',
      payer: sender,
      transfers: [{ to: A, amount: 5 }]
    })
  })

  it('another shape: what other addresses received in IOTA, by the balance changes; nothing when it failed or paid no one', async () => {
    const tx = (): Transaction => {
      const t = new Transaction()
      t.setSender(sender)
      t.setGasPrice(1000)
      t.setGasBudget(5)
      t.setGasPayment([...gas().payment])
      const [a, b] = t.splitCoins(t.gas, [t.pure.u64(1), t.pure.u64(2)])
      t.transferObjects([a, b], t.pure.address(A))
      return t
    }
    const change = (owner: unknown, amount: string, coinType = '0x2::iota::IOTA'): unknown => ({ owner, coinType, amount })
    const balanceChanges = [
      change({ AddressOwner: sender }, '-1000003'),
      change({ AddressOwner: A }, '3'),
      change({ AddressOwner: B }, '0'),
      change({ AddressOwner: B }, '-4'),
      change({ AddressOwner: B }, '9', '0x' + '0'.repeat(63) + '2::other::COIN'),
      change({ ObjectOwner: B }, '8'),
      change('Immutable', '8'),
      change(
        { AddressOwner: '0x' + '0'.repeat(63) + 'b' },
        '6',
        '0x0000000000000000000000000000000000000000000000000000000000000002::iota::IOTA'
      )
    ] as any
    const { digest, response } = await answer(tx(), { balanceChanges })
    expect(paymentOfResponse(digest, response, '')).toStrictEqual({
      key: '',
      digest,
      status: 'confirmed',
      payer: sender,
      transfers: [
        { to: A, amount: 3 },
        { to: '0x' + '0'.repeat(63) + 'b', amount: 6 }
      ],
      at: 1_750_000_000_250
    })
    const sent = await answer(tx(), { balanceChanges: [change({ AddressOwner: A }, String(2n ** 53n))] as any })
    const err = thrown(() => paymentOfResponse(sent.digest, sent.response, ''))
    expect(err).toBeInstanceOf(RangeError)
    expect((err as Error).message).toBe('amount 9007199254740992 is beyond a safe integer')
    const max = await answer(tx(), { balanceChanges: [change({ AddressOwner: A }, String(Number.MAX_SAFE_INTEGER))] as any })
    expect(paymentOfResponse(max.digest, max.response, '')?.transfers).toEqual([{ to: A, amount: Number.MAX_SAFE_INTEGER }])
    // paid no one but itself: not a payment
    const selfOnly = await answer(tx(), { balanceChanges: [change({ AddressOwner: sender }, '-5')] as any })
    expect(paymentOfResponse(selfOnly.digest, selfOnly.response, '')).toBeUndefined()
    const none = await answer(tx(), { balanceChanges: undefined })
    expect(paymentOfResponse(none.digest, none.response, '')).toBeUndefined()
    // failed: no transfers, and still reported
    const failed = await answer(tx(), { effects: { status: { status: 'failure', error: 'x' } } as any, balanceChanges })
    expect(paymentOfResponse(failed.digest, failed.response, '')).toStrictEqual({
      key: '',
      digest: failed.digest,
      status: 'failed',
      payer: sender,
      transfers: []
    })
  })

  it(
    'refuses an answer without effects (transient), without raw ' + 'input, with raw input it cannot read, or of another transaction',
    async () => {
      const { digest, response } = await answer(pay())
      const noEffects = thrown(() => paymentOfResponse(digest, { ...response, effects: undefined }, ''))
      expect(noEffects).toBeInstanceOf(TransientLedgerError)
      expect((noEffects as Error).message).toBe(`the full node returned transaction ${digest} without its effects; ask again`)
      for (const raw of [undefined, '']) {
        expect(thrown(() => paymentOfResponse(digest, { ...response, rawTransaction: raw }, ''))).toMatchObject({
          name: 'SettlementError',
          code: IotaErrorCode.unexpected,
          message: `the full node returned transaction ${digest} without its raw input (showRawInput); it cannot be read as a payment`
        })
      }
      const garbled = thrown(() => paymentOfResponse(digest, { ...response, rawTransaction: toBase64(new Uint8Array([1, 2, 3])) }, ''))
      expect(garbled).toBeInstanceOf(SettlementError)
      expect(garbled).toMatchObject({
        code: IotaErrorCode.unexpected,
        message: expect.stringMatching(
          new RegExp(`^transaction ${digest}: its raw input is not a SenderSignedData this SDK reads \\(.+\\)$`)
        )
      })
      expect((garbled as Error).cause).toBeInstanceOf(Error)
      const other = await answer(pay([{ to: A, amount: 9 }]))
      expect(thrown(() => paymentOfResponse(digest, other.response, ''))).toMatchObject({
        code: IotaErrorCode.unexpected,
        message: `the full node answered the lookup of ${digest} with transaction ${other.digest}`
      })
    }
  )

  it('transactionDataOfRaw: one signed transaction, not two', async () => {
    const bytes = await pay().build()
    const { signature } = await keypair.signTransaction(bytes)
    const one = {
      intentMessage: {
        intent: { scope: { TransactionData: true }, version: { V0: true }, appId: { Iota: true } },
        value: bcs.TransactionData.parse(bytes)
      },
      txSignatures: [signature]
    }
    expect(transactionDataOfRaw(toBase64(bcs.SenderSignedData.serialize([one]).toBytes())).bytes).toEqual(bytes)
    expect(message(() => transactionDataOfRaw(toBase64(bcs.SenderSignedData.serialize([one, one]).toBytes())))).toBe(
      'SenderSignedData holds 2 transactions, not one'
    )
    expect(message(() => transactionDataOfRaw(toBase64(bcs.SenderSignedData.serialize([]).toBytes())))).toBe(
      'SenderSignedData holds 0 transactions, not one'
    )
  })
})

describe('journal records as receipts and attestations', () => {
  const rec = (over: Partial<TxRecord> = {}): TxRecord => ({
    v: 1,
    kind: 'pay',
    key: 'k',
    status: 'confirmed',
    digest: 'D',
    bytes: '',
    signature: '',
    sender: '0xs',
    attempt: 1,
    previous: [],
    signedAt: 1,
    transfers: [{ to: A, amount: 2 }],
    at: 9,
    ...over
  })

  it('toPaymentReceipt: status as the ledger took it, time and root only once confirmed', () => {
    expect(toPaymentReceipt(rec())).toStrictEqual({
      key: 'k',
      digest: 'D',
      status: 'confirmed',
      payer: '0xs',
      transfers: [{ to: A, amount: 2 }],
      at: 9
    })
    expect(toPaymentReceipt(rec({ at: undefined }))).toStrictEqual({
      key: 'k',
      digest: 'D',
      status: 'confirmed',
      payer: '0xs',
      transfers: [{ to: A, amount: 2 }]
    })
    expect(toPaymentReceipt(rec({ status: 'submitted', attestKey: 'a', root: ROOT, leaves: 1 }))).toStrictEqual({
      key: 'k',
      digest: 'D',
      status: 'submitted',
      payer: '0xs',
      transfers: [{ to: A, amount: 2 }]
    })
    expect(toPaymentReceipt(rec({ status: 'failed' }))).toStrictEqual({
      key: 'k',
      digest: 'D',
      status: 'failed',
      payer: '0xs',
      transfers: [{ to: A, amount: 2 }]
    })
    // refused after a send whose outcome was not heard: not known to be final
    expect(toPaymentReceipt(rec({ status: 'failed', uncertain: true })).status).toBe('submitted')
    expect(toPaymentReceipt(rec({ status: 'failed', uncertain: false })).status).toBe('failed')
    expect(toPaymentReceipt(rec({ transfers: undefined })).transfers).toEqual([])
    expect(toPaymentReceipt(rec({ attestKey: 'a', root: ROOT, leaves: 1, objectId: '0xo' }))).toStrictEqual({
      key: 'k',
      digest: 'D',
      status: 'confirmed',
      payer: '0xs',
      transfers: [{ to: A, amount: 2 }],
      at: 9,
      attestation: { key: 'a', root: ROOT, leaves: 1, digest: 'D', attester: '0xs', at: 9, notarizationId: '0xo' }
    })
  })

  it('toAttestation: under the key the root is attested under, with time and notarization when known', () => {
    expect(toAttestation(rec({ kind: 'attest', key: 'a', root: ROOT, leaves: 3 }))).toStrictEqual({
      key: 'a',
      root: ROOT,
      leaves: 3,
      digest: 'D',
      attester: '0xs',
      at: 9
    })
    expect(toAttestation(rec({ kind: 'attest', key: 'a', root: ROOT, leaves: 3, at: undefined, objectId: '0xo' }))).toStrictEqual({
      key: 'a',
      root: ROOT,
      leaves: 3,
      digest: 'D',
      attester: '0xs',
      notarizationId: '0xo'
    })
    expect(toAttestation(rec({ attestKey: 'b', root: ROOT, leaves: 3 })).key).toBe('b')
  })
})
