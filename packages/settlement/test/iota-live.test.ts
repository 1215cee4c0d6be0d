import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { IotaClient, getFullnodeUrl } from '@iota/iota-sdk/client'
import { generateSeed, iotaAddress, signerFromSeed } from '@kvartal/protocol'
import { decodeAttestationTransaction, decodePaymentTransaction, iotaSettlement, type SettlementStore } from '../src/iota/index.ts'

/**
 * Opt-in: talks to a real IOTA Rebased network. Skipped unless KVARTAL_IOTA_LIVE is 'testnet', 'devnet' or
 * a full node URL (then KVARTAL_IOTA_FAUCET may name its faucet). Needs the internet and a faucet that
 * is not rate limiting this machine:
 *
 *   KVARTAL_IOTA_LIVE=testnet npx vitest run packages/settlement/test/iota-live.test.ts
 */
const live = process.env.KVARTAL_IOTA_LIVE ?? ''

class MapStore implements SettlementStore {
  readonly map = new Map<string, string>()
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key)
  }
  async put(key: string, value: string): Promise<void> {
    this.map.set(key, value)
  }
}

describe('iota adapter on a live network', () => {
  it.skipIf(live === '')(
    `funds a fresh key, pays, attests and finds both on ${live === '' ? 'the ledger' : live}`,
    async () => {
      const seed = generateSeed()
      const store = new MapStore()
      const a = iotaSettlement({
        network: live,
        seed,
        store,
        ...(process.env.KVARTAL_IOTA_FAUCET != null ? { faucetUrl: process.env.KVARTAL_IOTA_FAUCET } : {})
      })
      expect(a.address).toBe(iotaAddress(signerFromSeed(seed).publicKey))
      await a.requestFaucet({ timeoutMs: 120_000 })
      expect(await a.balance(a.address)).toBeGreaterThan(0)

      const payee = iotaAddress(signerFromSeed(generateSeed()).publicKey)
      const receipt = await a.pay({ key: 'live/1', payer: a.address, transfers: [{ to: payee, amount: 1_000 }] })
      expect(receipt.status).toBe('confirmed')
      const again = await a.pay({ key: 'live/1', payer: a.address, transfers: [{ to: payee, amount: 1_000 }] })
      expect(again.digest).toBe(receipt.digest)
      expect(await a.balance(payee)).toBe(1_000)
      // the payee's view: another key, another store, reads the payment off the ledger by its digest
      const payeeView = iotaSettlement({ network: live, seed: generateSeed(), store: new MapStore() })
      expect(await payeeView.lookup(receipt.digest)).toEqual({
        key: '',
        digest: receipt.digest,
        status: 'confirmed',
        payer: a.address,
        transfers: [{ to: payee, amount: 1_000 }],
        at: receipt.at
      })
      expect(await a.lookup(receipt.digest)).toMatchObject({ key: 'live/1', status: 'confirmed' })

      const root = createHash('sha256').update(`kvartal live ${Date.now()}`).digest('hex')
      const att = await a.attest('live/period-1', root, 1)
      expect(att.root).toBe(root)
      expect(att.notarizationId).toBeDefined()

      // read both back from the ledger, independently of the adapter
      const client = new IotaClient({ url: /^https?:/.test(live) ? live : getFullnodeUrl(live) })
      for (const digest of [receipt.digest, att.digest]) {
        const tx = await client.getTransactionBlock({ digest, options: { showEffects: true, showRawInput: true } })
        expect(tx.effects?.status.status).toBe('success')
      }
      const payTx = await client.getTransactionBlock({ digest: receipt.digest, options: { showRawInput: true } })
      const attTx = await client.getTransactionBlock({ digest: att.digest, options: { showRawInput: true } })
      const { bcs } = await import('@iota/iota-sdk/bcs')
      const txBytes = (raw: string): Uint8Array =>
        bcs.TransactionData.serialize(bcs.SenderSignedData.parse(Buffer.from(raw, 'base64'))[0].intentMessage.value).toBytes()
      expect(decodePaymentTransaction(txBytes(payTx.rawTransaction!)).transfers).toEqual([{ to: payee, amount: 1_000 }])
      expect(decodeAttestationTransaction(txBytes(attTx.rawTransaction!)).root).toBe(root)
      const obj = await client.getObject({ id: att.notarizationId!, options: { showContent: true, showOwner: true } })
      expect(obj.data?.owner).toEqual({ AddressOwner: a.address })
      const fields = (obj.data?.content as { fields?: { state?: { fields?: { data?: number[] | string } } } } | undefined)?.fields
      const data = fields?.state?.fields?.data
      expect(Array.isArray(data) ? Buffer.from(data).toString('hex') : Buffer.from(String(data), 'base64').toString('hex')).toBe(root)
    },
    300_000
  )
})
