import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { Transaction } from '@iota/iota-sdk/transactions'
import { toBase58 } from '@iota/iota-sdk/utils'
import { IotaNotarizationPackages, buildAttestationTransaction, buildPaymentTransaction, type GasSettings } from '../../src/iota/index.ts'
import { thrown } from './parties.ts'

/**
 * What the tests of the iota adapter's offline parts share (iota-decode.test.ts, iota-requests.test.ts,
 * iota-receipts.test.ts): a sender with a fixed key, gas settings, two payees, a root and the testnet
 * notarization package, a payment and an attestation built offline, and `edited`, which changes a built
 * transaction through the SDK's own JSON form (Transaction.from) and builds it back.
 */

export const keypair = Ed25519Keypair.fromSecretKey(new Uint8Array(32).fill(7))
export const sender = keypair.toIotaAddress()
export const gas = (): GasSettings => ({
  price: 1000,
  budget: 50_000_000,
  payment: [{ objectId: '0x' + '11'.repeat(32), version: '7', digest: toBase58(new Uint8Array(32).fill(5)) }]
})
export const A = '0x' + 'aa'.repeat(32)
export const B = '0x' + 'bb'.repeat(32)
export const ROOT = 'ab'.repeat(32)
export const PKG = IotaNotarizationPackages.testnet.packageId
export const rootBytes = (): Uint8Array => new Uint8Array(Buffer.from(ROOT, 'hex'))

/** The transaction's data in the SDK's JSON form, edited by `edit`, built back to BCS bytes (offline). */
export async function edited(tx: Transaction, edit: (data: any) => void): Promise<Uint8Array> {
  const data = JSON.parse(JSON.stringify(tx.getData()))
  edit(data)
  return await Transaction.from(JSON.stringify(data)).build()
}
export const message = (fn: () => unknown): string => (thrown(fn) as Error).message
export const pay = (
  transfers = [
    { to: A, amount: 1 },
    { to: B, amount: 2 }
  ]
): Transaction => buildPaymentTransaction(sender, transfers, gas())
export const attestation = (): Transaction => buildAttestationTransaction(sender, PKG, { key: 'd/p', root: rootBytes(), leaves: 3 }, gas())
