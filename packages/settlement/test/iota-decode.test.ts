/**
 * The iota adapter's offline parts at their edges: requests and attestations checked before anything is
 * built (largest accepted, first refused, every message), transactions that are almost a payment or an
 * attestation refused by the decoders with what is wrong, a full node's answer read as a payment
 * (paymentOfResponse, on answers built here as a node gives them), and journal records as receipts.
 * Transactions are edited through the SDK's own JSON form (Transaction.from) and built offline.
 */
import { describe, expect, it } from 'vitest'
import { bcs } from '@iota/iota-sdk/bcs'
import type { IotaTransactionBlockResponse } from '@iota/iota-sdk/client'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import { toBase58, toBase64 } from '@iota/iota-sdk/utils'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { IotaErrorCode } from '../src/iota/errors.ts'
import {
  IotaNotarizationPackages,
  addAttestationCommands,
  attestationMetadata,
  buildAttestationTransaction,
  buildPaymentTransaction,
  decodeAttestationTransaction,
  decodePaymentTransaction,
  gasPaymentOf,
  notarizationPackageFor,
  paymentOfResponse,
  transactionDataOfRaw,
  validatePaymentRequest,
  type GasSettings,
  type TxRecord
} from '../src/iota/index.ts'
import { toAttestation, validateAttestation } from '../src/iota/attestation.ts'
import { toPaymentReceipt } from '../src/iota/payments.ts'
import { thrown } from './helpers/parties.ts'

const keypair = Ed25519Keypair.fromSecretKey(new Uint8Array(32).fill(7))
const sender = keypair.toIotaAddress()
const gas = (): GasSettings => ({
  price: 1000,
  budget: 50_000_000,
  payment: [{ objectId: '0x' + '11'.repeat(32), version: '7', digest: toBase58(new Uint8Array(32).fill(5)) }]
})
const A = '0x' + 'aa'.repeat(32)
const B = '0x' + 'bb'.repeat(32)
const ROOT = 'ab'.repeat(32)
const PKG = IotaNotarizationPackages.testnet.packageId
const rootBytes = (): Uint8Array => new Uint8Array(Buffer.from(ROOT, 'hex'))

/** The transaction's data in the SDK's JSON form, edited by `edit`, built back to BCS bytes (offline). */
async function edited(tx: Transaction, edit: (data: any) => void): Promise<Uint8Array> {
  const data = JSON.parse(JSON.stringify(tx.getData()))
  edit(data)
  return await Transaction.from(JSON.stringify(data)).build()
}
const message = (fn: () => unknown): string => (thrown(fn) as Error).message
const pay = (
  transfers = [
    { to: A, amount: 1 },
    { to: B, amount: 2 }
  ]
): Transaction => buildPaymentTransaction(sender, transfers, gas())
const attestation = (): Transaction => buildAttestationTransaction(sender, PKG, { key: 'd/p', root: rootBytes(), leaves: 3 }, gas())

describe('decodePaymentTransaction refuses', () => {
  it('a transaction that does not start by splitting the gas coin', async () => {
    const notGas = await edited(pay(), d => {
      d.commands[0].SplitCoins.coin = { $kind: 'Input', Input: 0, type: 'pure' }
    })
    expect(message(() => decodePaymentTransaction(notGas))).toBe('not a payment transaction: it does not start by splitting the gas coin')
    const attest = await attestation().build()
    expect(message(() => decodePaymentTransaction(attest))).toBe('not a payment transaction: it does not start by splitting the gas coin')
  })

  it("as many split coins as transfers, and nothing after them but an attestation's three calls", async () => {
    const fewer = await edited(pay(), d => {
      d.commands.pop()
    })
    expect(message(() => decodePaymentTransaction(fewer))).toBe('not a payment transaction: 2 split coin(s) but 1 further command(s)')
    const one = pay()
    one.moveCall({ target: `${PKG}::timelock::none` })
    const oneCall = await one.build()
    expect(message(() => decodePaymentTransaction(oneCall))).toBe('not a payment transaction: 2 split coin(s) but 3 further command(s)')
    const four = pay()
    addAttestationCommands(four, PKG, { key: 'k', root: rootBytes(), leaves: 1 })
    four.moveCall({ target: `${PKG}::timelock::none` })
    const fourCalls = await four.build()
    expect(message(() => decodePaymentTransaction(fourCalls))).toBe('not a payment transaction: 2 split coin(s) but 6 further command(s)')
  })

  it("three calls after the transfers that are not the attestation's, in its order, of one package", async () => {
    const base = (): Transaction => {
      const tx = pay()
      addAttestationCommands(tx, PKG, { key: 'k', root: rootBytes(), leaves: 1 })
      return tx
    }
    const refused = 'not a payment transaction: what follows the transfers is not an attestation'
    const otherPackage = '0x' + '99'.repeat(32)
    for (const edit of [
      (c: any[]) => {
        c[1].MoveCall.package = otherPackage
      }, // the second call of another package
      (c: any[]) => {
        c[2].MoveCall.package = otherPackage
      }, // the third
      (c: any[]) => {
        c[0].MoveCall.function = 'new_state_from_string'
      },
      (c: any[]) => {
        c[1].MoveCall.module = 'clock'
      },
      (c: any[]) => {
        c[2].MoveCall.function = 'create_dynamic'
      },
      (c: any[]) => {
        c[2].MoveCall.module = 'notarization'
      }
    ]) {
      const bytes = await edited(base(), d => {
        edit(d.commands.slice(3))
      })
      expect(message(() => decodePaymentTransaction(bytes))).toBe(refused)
    }
    // the same calls, all of another package, are an attestation of that package
    const other = await edited(base(), d => {
      for (const c of d.commands.slice(3)) c.MoveCall.package = otherPackage
    })
    expect(decodePaymentTransaction(other).attestation).toEqual({ packageId: otherPackage, root: ROOT, key: 'k', leaves: 1 })
    // a first command after the transfers that is no Move call
    const transfer = pay()
    const [c] = transfer.splitCoins(transfer.gas, [transfer.pure.u64(1)])
    transfer.transferObjects([c], transfer.pure.address(A))
    transfer.moveCall({ target: `${PKG}::timelock::none` })
    const splitAfter = await transfer.build()
    expect(message(() => decodePaymentTransaction(splitAfter))).toBe(refused)
  })

  it('a transfer that is not of its own split coin, alone, in order', async () => {
    const refusedAt = (i: number): string => `not a payment transaction: command ${i + 1} does not transfer split coin ${i}`
    const swapped = await edited(pay(), d => {
      d.commands[1].TransferObjects.objects = [{ $kind: 'NestedResult', NestedResult: [0, 1] }]
      d.commands[2].TransferObjects.objects = [{ $kind: 'NestedResult', NestedResult: [0, 0] }]
    })
    expect(message(() => decodePaymentTransaction(swapped))).toBe(refusedAt(0))
    const second = await edited(pay(), d => {
      d.commands[2].TransferObjects.objects = [{ $kind: 'NestedResult', NestedResult: [0, 0] }]
    })
    expect(message(() => decodePaymentTransaction(second))).toBe(refusedAt(1))
    const two = await edited(pay(), d => {
      d.commands[1].TransferObjects.objects = [
        { $kind: 'NestedResult', NestedResult: [0, 0] },
        { $kind: 'NestedResult', NestedResult: [0, 1] }
      ]
    })
    expect(message(() => decodePaymentTransaction(two))).toBe(refusedAt(0))
    const gasCoin = await edited(pay(), d => {
      d.commands[1].TransferObjects.objects = [{ $kind: 'GasCoin', GasCoin: true }]
    })
    expect(message(() => decodePaymentTransaction(gasCoin))).toBe(refusedAt(0))
    const ofAnother = await edited(pay(), d => {
      d.commands[1].TransferObjects.objects = [{ $kind: 'NestedResult', NestedResult: [1, 0] }]
    })
    expect(message(() => decodePaymentTransaction(ofAnother))).toBe(refusedAt(0))
    const result = await edited(pay(), d => {
      d.commands[2].TransferObjects.objects = [{ $kind: 'Result', Result: 0 }]
    })
    expect(message(() => decodePaymentTransaction(result))).toBe(refusedAt(1))
    const notTransfer = await edited(pay(), d => {
      d.commands[2] = {
        $kind: 'MergeCoins',
        MergeCoins: { destination: { $kind: 'GasCoin', GasCoin: true }, sources: [{ $kind: 'NestedResult', NestedResult: [0, 1] }] }
      }
    })
    expect(message(() => decodePaymentTransaction(notTransfer))).toBe(refusedAt(1))
  })

  it('an amount or an address that is not a pure input', async () => {
    const withObject = (d: any): void => {
      d.inputs.push({
        $kind: 'Object',
        Object: {
          $kind: 'ImmOrOwnedObject',
          ImmOrOwnedObject: { objectId: '0x' + '22'.repeat(32), version: '3', digest: toBase58(new Uint8Array(32).fill(9)) }
        }
      })
    }
    const amountObject = await edited(pay(), d => {
      withObject(d)
      d.commands[0].SplitCoins.amounts[1] = { $kind: 'Input', Input: d.inputs.length - 1, type: 'object' }
    })
    expect(message(() => decodePaymentTransaction(amountObject))).toBe(`not a payment transaction: input ${4} is not a pure value`)
    const addressObject = await edited(pay(), d => {
      withObject(d)
      d.commands[1].TransferObjects.address = { $kind: 'Input', Input: d.inputs.length - 1, type: 'object' }
    })
    expect(message(() => decodePaymentTransaction(addressObject))).toBe('not a payment transaction: input 4 is not a pure value')
    const amountGas = await edited(pay(), d => {
      d.commands[0].SplitCoins.amounts[0] = { $kind: 'GasCoin', GasCoin: true }
    })
    expect(message(() => decodePaymentTransaction(amountGas))).toMatch(
      /^not a payment transaction: argument \{.*"GasCoin".*\} is not an input$/
    )
    const addressResult = await edited(pay(), d => {
      d.commands[2].TransferObjects.address = { $kind: 'Result', Result: 0 }
    })
    expect(message(() => decodePaymentTransaction(addressResult))).toMatch(
      /^not a payment transaction: argument \{.*"Result".*\} is not an input$/
    )
  })

  it('an amount beyond a safe integer; the largest safe one decodes exactly', async () => {
    const tx = new Transaction()
    tx.setSender(sender)
    tx.setGasPrice(1000)
    tx.setGasBudget(5)
    tx.setGasPayment([...gas().payment])
    const [c, d] = tx.splitCoins(tx.gas, [tx.pure.u64(2n ** 53n - 1n), tx.pure.u64(2n ** 53n)])
    tx.transferObjects([c], tx.pure.address(A))
    tx.transferObjects([d], tx.pure.address(B))
    const unsafe = await tx.build()
    const err = thrown(() => decodePaymentTransaction(unsafe))
    expect(err).toBeInstanceOf(RangeError)
    expect((err as Error).message).toBe('amount 9007199254740992 is beyond a safe integer')
    const ok = await edited(tx, data => {
      data.commands[0].SplitCoins.amounts.pop()
      data.commands.pop()
    })
    expect(decodePaymentTransaction(ok).transfers).toEqual([{ to: A, amount: Number.MAX_SAFE_INTEGER }])
  })

  it('reads bytes given as base64 as it reads them raw', async () => {
    const bytes = await pay().build()
    expect(decodePaymentTransaction(toBase64(bytes))).toEqual(decodePaymentTransaction(bytes))
    expect(gasPaymentOf(toBase64(bytes))).toEqual(gas().payment)
    const att = await attestation().build()
    expect(decodeAttestationTransaction(toBase64(att))).toEqual(decodeAttestationTransaction(att))
  })
})

describe('decodeAttestationTransaction refuses', () => {
  it('a transaction without both the state call and the locked create', async () => {
    const refused = 'not an attestation: no locked notarization of bytes in this transaction'
    const payment = await pay().build()
    expect(message(() => decodeAttestationTransaction(payment))).toBe(refused)
    for (const edit of [
      (d: any) => {
        d.commands[0].MoveCall.function = 'new_state_from_string'
      },
      (d: any) => {
        d.commands[0].MoveCall.module = 'locked_notarization'
      },
      (d: any) => {
        d.commands[2].MoveCall.function = 'destroy'
      },
      (d: any) => {
        d.commands[2].MoveCall.module = 'notarization'
      }
    ]) {
      const bytes = await edited(attestation(), edit)
      expect(message(() => decodeAttestationTransaction(bytes))).toBe(refused)
    }
  })

  it('a root or metadata that is not a pure input', async () => {
    // inputs: clock 0, root 1, metadata 2, description 3, updatable metadata 4
    const rootObject = await edited(attestation(), d => {
      d.commands[0].MoveCall.arguments[0] = { $kind: 'Input', Input: 0, type: 'object' }
    })
    expect(message(() => decodeAttestationTransaction(rootObject))).toBe(
      'not an attestation: argument 0 of new_state_from_bytes is not a pure input'
    )
    const metaResult = await edited(attestation(), d => {
      d.commands[0].MoveCall.arguments[1] = { $kind: 'Result', Result: 1 }
    })
    expect(message(() => decodeAttestationTransaction(metaResult))).toBe(
      'not an attestation: argument 1 of new_state_from_bytes is not a pure input'
    )
  })

  it('metadata that does not name a Kvartal key and leaf count', async () => {
    const refused = 'not a Kvartal attestation: its state metadata does not name a key and a leaf count'
    const withMeta = async (meta: string | null): Promise<Uint8Array> =>
      await edited(attestation(), d => {
        d.inputs[2].Pure.bytes = bcs.option(bcs.string()).serialize(meta).toBase64()
      })
    for (const meta of [
      null,
      '{}',
      JSON.stringify({ kind: 'other', key: 'k', leaves: 1 }),
      JSON.stringify({ kind: 'kvartal/attestation', key: 5, leaves: 1 }),
      JSON.stringify({ kind: 'kvartal/attestation', key: 'k', leaves: '1' }),
      JSON.stringify({ kind: 'kvartal/attestation', key: 'k' })
    ]) {
      const bytes = await withMeta(meta)
      expect(
        message(() => decodeAttestationTransaction(bytes)),
        String(meta)
      ).toBe(refused)
    }
    const good = await withMeta(JSON.stringify({ kind: 'kvartal/attestation', key: 'k2', leaves: 0 }))
    expect(decodeAttestationTransaction(good)).toEqual({ sender, packageId: PKG, root: ROOT, key: 'k2', leaves: 0, gasBudget: 50_000_000 })
  })
})

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
