import { toHex, type Clock, systemClock, type Signer, iotaAddress } from '@kvartal/protocol'
import { SettlementError, type Settlement } from '../port.ts'
import { LocalLedger, encodeLocalTransaction, localSigningBytes, toAttestation, toReceipt, type LocalTransaction } from './local-ledger.ts'

/** The `local` adapter: one node's view of a LocalLedger, signing with the node's key. */
export function localSettlement (ledger: LocalLedger, signer: Signer, clock: Clock = systemClock): Settlement & { readonly address: string } {
  const address = iotaAddress(signer.publicKey)
  const sign = (tx: LocalTransaction): { bytes: string, signature: string } => {
    const bytes = encodeLocalTransaction(tx)
    return { bytes: toHex(bytes), signature: toHex(signer.sign(localSigningBytes(bytes))) }
  }
  return {
    name: 'local ledger (embedded, not a network: balances and attestations live only in this data directory)',
    address,
    async pay (request) {
      if (request.payer !== address) throw new SettlementError('wrong-payer', `this adapter pays from ${address}, not ${request.payer}`)
      const stored = await ledger.submit(sign({ kind: 'pay', key: request.key, sender: toHex(signer.publicKey), transfers: request.transfers }), clock.now())
      if (stored.kind !== 'pay') throw new SettlementError('key-reused', `key ${request.key} already names an attestation`)
      return toReceipt(stored)
    },
    async attest (key, root, leaves) {
      const stored = await ledger.submit(sign({ kind: 'attest', key, sender: toHex(signer.publicKey), root, leaves }), clock.now())
      if (stored.kind !== 'attest') throw new SettlementError('key-reused', `key ${key} already names a payment`)
      return toAttestation(stored)
    },
    async payment (key) { const s = await ledger.byKey(key); return s?.kind === 'pay' ? toReceipt(s) : undefined },
    async attestation (key) { const s = await ledger.byKey(key); return s?.kind === 'attest' ? toAttestation(s) : undefined },
    async balance (a) { return await ledger.balance(a) },
    async lookup (digest) { const s = await ledger.byDigest(digest); return s?.kind === 'pay' ? toReceipt(s) : undefined }
  }
}
