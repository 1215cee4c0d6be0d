/**
 * Behaviours the mutation run of 2026-12-06 found unchecked (reports/mutation/summary.md), in the settlement
 * code that needs no ledger: a Merkle proof longer than its tree or with a short sibling, payments in payer
 * order whatever order the obligations come in, a balanced slot charged 0 (not −0), addresses and roots that
 * are not strings (a boxed String prints as one) refused, a caller's timeout signal not retried as a
 * transient timeout, and what a full node's answer is read as when the transaction is empty, names an input
 * it does not have, is not a programmable transaction, or pays its own sender.
 */
import { describe, expect, it, vi } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { bcs } from '@iota/iota-sdk/bcs'
import type { IotaTransactionBlockResponse } from '@iota/iota-sdk/client'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import { toBase58, toBase64 } from '@iota/iota-sdk/utils'
import { signReading, type MeterReading } from '@kvartal/protocol'
import { MerkleTree, SettlementError, leafHash, paymentsFor, settlePeriod, verifyInclusion } from '../src/index.ts'
import { IotaErrorCode, isTransient } from '../src/iota/errors.ts'
import { validateAttestation } from '../src/iota/attestation.ts'
import { buildPaymentTransaction, decodePaymentTransaction, paymentOfResponse, validatePaymentRequest } from '../src/iota/payments.ts'
import { withRetry } from '../src/iota/retry.ts'
import { RecordingSettlement } from './helpers/recording-settlement.ts'
import { party, rejected, thrown, trade, type Party } from './helpers/parties.ts'

const leaves = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`leaf-${i}`))
const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(new Uint8Array([1, ...l, ...r]))

describe('verifyInclusion refuses a proof the tree could not have given', () => {
  it('one sibling more than the tree is high, even against the root that extra sibling leads to', () => {
    const ls = leaves(2)
    const t = new MerkleTree(ls)
    const p = t.prove(0)
    expect(verifyInclusion(ls[0], p, t.root)).toBe(true)
    const extra = leafHash(new TextEncoder().encode('extra'))
    // the path climbs past the root of a 2-leaf tree: refused before it is hashed in, whatever root is asked
    const above = bytesToHex(node(extra, Buffer.from(t.root, 'hex')))
    expect(verifyInclusion(ls[0], { ...p, path: [...p.path, bytesToHex(extra)] }, above)).toBe(false)
    const aboveRight = bytesToHex(node(Buffer.from(t.root, 'hex'), extra))
    expect(verifyInclusion(ls[0], { ...p, path: [...p.path, bytesToHex(extra)] }, aboveRight)).toBe(false)
  })

  it('a sibling of fewer than 32 bytes, even against the root it would give padded with zeros', () => {
    const ls = leaves(2)
    const short = new Uint8Array(16).fill(0x5a)
    const padded = new Uint8Array(32)
    padded.set(short)
    // leaf 0 of 2: the sibling is on the right
    const root = bytesToHex(node(leafHash(ls[0]), padded))
    expect(verifyInclusion(ls[0], { index: 0, size: 2, path: [bytesToHex(padded)] }, root)).toBe(true)
    expect(verifyInclusion(ls[0], { index: 0, size: 2, path: [bytesToHex(short)] }, root)).toBe(false)
    // leaf 1 of 2: the sibling is on the left
    const rootLeft = bytesToHex(node(padded, leafHash(ls[1])))
    expect(verifyInclusion(ls[1], { index: 1, size: 2, path: [bytesToHex(padded)] }, rootLeft)).toBe(true)
    expect(verifyInclusion(ls[1], { index: 1, size: 2, path: [bytesToHex(short)] }, rootLeft)).toBe(false)
  })
})

describe('paymentsFor', () => {
  it('gives the payments in payer order whatever order the obligations name the payers in', () => {
    const [a, b, c] = [party(74), party(75), party(76)].map(p => p.address).sort()
    const to = party(77).address
    const expected = [a, b, c].map(payer => ({ key: `p/${payer}`, payer, transfers: [{ to, amount: 1 }] }))
    for (const order of [
      [a, b, c],
      [c, b, a],
      [b, a, c],
      [a, c, b]
    ]) {
      expect(
        paymentsFor(
          order.map(from => ({ from, to, amount: 1 })),
          'p'
        ),
        order.join()
      ).toEqual(expected)
    }
  })
})

describe('settlePeriod', () => {
  const tariffs = { retail: 1_000_000_000, feedIn: 300_000_000 }
  function readings(p: Party, perSlot: Array<[number, number]>): MeterReading[] {
    const out: MeterReading[] = []
    perSlot.forEach(([imp, exp], i) => {
      out.push(signReading(p.signer, i + 1, imp, exp, i + 1, out.at(-1)))
    })
    return out
  }

  it('charges a slot 0, not −0, when delivery matches the contracts or the surplus is worth less than half a nano', async () => {
    const seller = party(84)
    const buyer = party(85)
    const sold = trade({ seller, buyer, slot: 1, energyWh: 1_001, price: 500_000_000 })
    // slot 1: fed exactly what was sold; slot 2: fed 1 Wh beyond, at a feed-in of 400 nanos/kWh = 0.4 nano
    const r = await settlePeriod(new RecordingSettlement(), {
      period: 'd/zero',
      self: seller.address,
      trades: [sold],
      readings: readings(seller, [
        [0, 1_001],
        [0, 1]
      ]),
      tariffs: { retail: 1_000, feedIn: 400 }
    })
    expect(r.imbalance.map(l => l.chargeNanos)).toEqual([0, 0])
    for (const l of r.imbalance) expect(Object.is(l.chargeNanos, 0), `slot ${l.slot}`).toBe(true)
    expect(Object.is(r.imbalanceNanos, 0)).toBe(true)
  })

  it('refuses a grid operator address that is not a string, even one that prints as an address', async () => {
    const buyer = party(86)
    const operator = party(87).address
    for (const bad of [new String(operator), [operator]]) {
      const ledger = new RecordingSettlement()
      const err = await rejected(
        settlePeriod(ledger, {
          period: 'd/bad',
          self: buyer.address,
          trades: [],
          readings: [],
          tariffs,
          gridOperator: bad as unknown as string
        })
      )
      expect(err).toBeInstanceOf(SettlementError)
      expect(err).toMatchObject({
        code: 'invalid-grid-operator',
        message:
          `the grid operator's address '${operator}' is not an IOTA address (0x + 64 hex): ` +
          `set grid.operator in the node's config to the address the grid operator publishes`
      })
      expect(ledger.calls).toEqual([])
    }
  })
})

describe('values that print as the right thing but are not strings', () => {
  const ROOT = 'ab'.repeat(32)
  const A = '0x' + 'aa'.repeat(32)

  it('validateAttestation refuses a root that is not a string', () => {
    for (const root of [new String(ROOT), [ROOT]]) {
      const err = thrown(() => validateAttestation('k', root as unknown as string, 1))
      expect(err).toBeInstanceOf(SettlementError)
      expect(err).toMatchObject({
        code: IotaErrorCode.invalidRequest,
        message: `attestation k: the root must be 64 hex digits (a SHA-256 Merkle root), got '${ROOT}'`
      })
    }
  })

  it('validatePaymentRequest refuses a recipient that is not a string', () => {
    const payer = '0x' + '0c'.repeat(32)
    for (const to of [new String(A), [A]]) {
      const err = thrown(() => validatePaymentRequest({ key: 'k', payer, transfers: [{ to: to as unknown as string, amount: 1 }] }, payer))
      expect(err).toBeInstanceOf(SettlementError)
      expect(err).toMatchObject({
        code: IotaErrorCode.invalidRequest,
        message: `payment k, transfer 0: '${A}' is not an IOTA address (0x + 64 hex)`
      })
    }
  })

  it('isTransient looks for a code on objects only: a function carrying one is not a network error', () => {
    expect(isTransient(Object.assign(() => {}, { code: 'ECONNRESET' }))).toBe(false)
    expect(isTransient({ code: 'ECONNRESET' })).toBe(true)
  })
})

describe("withRetry under a caller's timeout signal", () => {
  it("ends with the signal's own TimeoutError, untried again, though a timeout is otherwise transient", async () => {
    const reason = new DOMException('the caller gave up', 'TimeoutError')
    expect(isTransient(reason)).toBe(true)
    const onRetry = vi.fn()
    for (const attempts of [1, 3]) {
      const ac = new AbortController()
      let calls = 0
      // the signal fires while the call is under way, and the call then fails as a lost connection does
      const fn = async (): Promise<number> => {
        calls++
        await Promise.resolve()
        ac.abort(reason)
        throw new TypeError('fetch failed')
      }
      expect(
        await rejected(withRetry('ask', fn, { attempts, baseDelayMs: 0, maxDelayMs: 0, requestTimeoutMs: 1_000 }, ac.signal, onRetry))
      ).toBe(reason)
      expect(calls).toBe(1)
    }
    expect(onRetry).not.toHaveBeenCalled()
  })
})

describe('decoding transactions that are almost payments', () => {
  const keypair = Ed25519Keypair.fromSecretKey(new Uint8Array(32).fill(7))
  const sender = keypair.toIotaAddress()
  const A = '0x' + 'aa'.repeat(32)
  const withGas = (tx: Transaction): Transaction => {
    tx.setSender(sender)
    tx.setGasPrice(1000)
    tx.setGasBudget(5)
    tx.setGasPayment([{ objectId: '0x' + '11'.repeat(32), version: '7', digest: toBase58(new Uint8Array(32).fill(5)) }])
    return tx
  }

  it('a transaction without a command is not a payment, said as for any other', async () => {
    const empty = await withGas(new Transaction()).build()
    const err = thrown(() => decodePaymentTransaction(empty))
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe('not a payment transaction: it does not start by splitting the gas coin')
  })

  it('an amount naming an input the transaction does not have is not a pure value', async () => {
    const bytes = await buildPaymentTransaction(sender, [{ to: A, amount: 1 }], {
      price: 1000,
      budget: 5,
      payment: [{ objectId: '0x' + '11'.repeat(32), version: '7', digest: toBase58(new Uint8Array(32).fill(5)) }]
    }).build()
    // edited in BCS: the SDK's builder would refuse to build it
    const data = bcs.TransactionData.parse(bytes)
    const ptb = data.V1!.kind.ProgrammableTransaction!
    ;(ptb.commands[0].SplitCoins!.amounts[0] as { Input: number }).Input = 9
    const edited = bcs.TransactionData.serialize(data).toBytes()
    const err = thrown(() => decodePaymentTransaction(edited))
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe('not a payment transaction: input 9 is not a pure value')
  })

  /** What a full node answers for the BCS TransactionData `bytes`, signed by the sender, with `over` on top. */
  async function answer(
    bytes: Uint8Array,
    over: Partial<IotaTransactionBlockResponse> = {}
  ): Promise<{ digest: string; response: IotaTransactionBlockResponse }> {
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
  const change = (owner: string, amount: string): unknown => ({ owner: { AddressOwner: owner }, coinType: '0x2::iota::IOTA', amount })

  it('a transaction that is not programmable (a system transaction) is no payment, whatever its balance changes show', async () => {
    const bytes = bcs.TransactionData.serialize({
      V1: {
        kind: { Genesis: true },
        sender,
        gasData: { payment: [], owner: sender, price: '1000', budget: '5' },
        expiration: { None: true }
      }
    } as any).toBytes()
    const { digest, response } = await answer(bytes, { balanceChanges: [change(A, '7')] as any })
    expect(paymentOfResponse(digest, response, 'k')).toBeUndefined()
  })

  it('another shape: what the sender itself gained is not a transfer, what others gained is', async () => {
    const tx = withGas(new Transaction())
    const [a, b] = tx.splitCoins(tx.gas, [tx.pure.u64(1), tx.pure.u64(2)])
    tx.transferObjects([a, b], tx.pure.address(A))
    const { digest, response } = await answer(await tx.build(), { balanceChanges: [change(sender, '40'), change(A, '3')] as any })
    expect(paymentOfResponse(digest, response, '')).toStrictEqual({
      key: '',
      digest,
      status: 'confirmed',
      payer: sender,
      transfers: [{ to: A, amount: 3 }],
      at: 1_750_000_000_250
    })
    // gaining alone, it paid no one: not a payment
    const alone = await answer(await tx.build(), { balanceChanges: [change(sender, '40')] as any })
    expect(paymentOfResponse(alone.digest, alone.response, '')).toBeUndefined()
  })
})
