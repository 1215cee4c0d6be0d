import { toHex, type Clock, systemClock, type Signer, iotaAddress } from '@kvartal/protocol'
import { SettlementError, type Settlement } from '../port.ts'
import {
  type LocalLedger,
  attestationUnder,
  encodeLocalTransaction,
  localSigningBytes,
  toReceipt,
  type LocalTransaction
} from './local-ledger.ts'

/** The `local` adapter: one node's view of a LocalLedger, signing with the node's key. */
export function localSettlement(
  ledger: LocalLedger,
  signer: Signer,
  clock: Clock = systemClock
): Settlement & { readonly address: string } {
  const address = iotaAddress(signer.publicKey)
  const sign = (tx: LocalTransaction): { bytes: string; signature: string } => {
    const bytes = encodeLocalTransaction(tx)
    return { bytes: toHex(bytes), signature: toHex(signer.sign(localSigningBytes(bytes))) }
  }
  return {
    name: 'local ledger (embedded, not a network: balances and attestations live only in this data directory)',
    address,
    async pay(request) {
      if (request.payer !== address) throw new SettlementError('wrong-payer', `this adapter pays from ${address}, not ${request.payer}`)
      const a = request.attest
      const stored = await ledger.submit(
        sign({
          kind: 'pay',
          key: request.key,
          sender: toHex(signer.publicKey),
          transfers: request.transfers,
          ...(a != null ? { attestKey: a.key, root: a.root, leaves: a.leaves } : {})
        }),
        clock.now()
      )
      if (stored.kind !== 'pay' || stored.key !== request.key)
        throw new SettlementError('key-reused', `key ${request.key} already names another transaction (${stored.digest})`)
      return toReceipt(stored)
    },
    async attest(key, root, leaves) {
      // a key a payment carries is found here too: the ledger returns that transaction, never a second one
      const stored = await ledger.submit(sign({ kind: 'attest', key, sender: toHex(signer.publicKey), root, leaves }), clock.now())
      const a = attestationUnder(stored, key)
      if (a == null) throw new SettlementError('key-reused', `key ${key} already names a payment (${stored.digest})`)
      return a
    },
    async payment(key) {
      const s = await ledger.byKey(key)
      return s?.kind === 'pay' && s.key === key ? toReceipt(s) : undefined
    },
    async attestation(key) {
      return attestationUnder(await ledger.byKey(key), key)
    },
    async balance(a) {
      return await ledger.balance(a)
    },
    async lookup(digest) {
      const s = await ledger.byDigest(digest)
      return s?.kind === 'pay' ? toReceipt(s) : undefined
    }
  }
}
