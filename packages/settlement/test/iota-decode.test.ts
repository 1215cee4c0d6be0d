/**
 * The iota adapter's decoders at their edges: transactions that are almost a payment or an attestation,
 * refused by decodePaymentTransaction and decodeAttestationTransaction with what is wrong, and bytes read as
 * base64 as they are read raw. Transactions are edited through the SDK's own JSON form (Transaction.from) and
 * built offline (helpers/offline-transactions.ts). Requests and attestations checked before anything is
 * built: iota-requests.test.ts; a node's answer and a journal record read as receipts: iota-receipts.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { bcs } from '@iota/iota-sdk/bcs'
import { Transaction } from '@iota/iota-sdk/transactions'
import { toBase58, toBase64 } from '@iota/iota-sdk/utils'
import { addAttestationCommands, decodeAttestationTransaction, decodePaymentTransaction, gasPaymentOf } from '../src/iota/index.ts'
import { thrown } from './helpers/parties.ts'
import { A, B, PKG, ROOT, attestation, edited, gas, message, pay, rootBytes, sender } from './helpers/offline-transactions.ts'

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
