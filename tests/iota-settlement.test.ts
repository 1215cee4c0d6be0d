import { describe, expect, it } from 'vitest'
import { IotaClient } from '@iota/iota-sdk/client'
import { costNanos } from '@kvartal/protocol'
import { iotaSettlement, verifyTradeProof } from '@kvartal/settlement'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import { startDistrict, slots, epochMs } from './helpers/nodes.ts'

/**
 * Two building nodes over real libp2p settle their day on IOTA Rebased through the `iota` adapter.
 * FakeIotaRpc is a TEST DOUBLE of an IOTA full node's JSON-RPC (no IOTA node can be reached here): it
 * checks signatures with the SDK, keeps coins and executes payments and notarizations.
 */
describe('period settlement through the iota adapter (against a JSON-RPC test double)', () => {
  it('the buyer pays the seller exactly what it owes in one transaction, both attest, and the trade verifies on the ledger', async () => {
    const rpc = await FakeIotaRpc.start()
    const client = new IotaClient({ url: rpc.url })
    const d = await startDistrict(
      [
        { buyLimit: 900_000_000, sellLimit: 350_000_000, position: s => (s >= 0 && s < 2 ? 700 : 0) },
        { buyLimit: 900_000_000, sellLimit: 400_000_000, position: s => (s >= 0 && s < 2 ? -300 : 0) }
      ],
      {
        extra: () => ({
          settlement: {
            periodSlots: 2,
            create: async (_signer, journal) =>
              iotaSettlement({
                network: 'testnet',
                seed: (await journal.loadSeed())!,
                store: journal.store('iota'),
                client,
                retry: { attempts: 2, baseDelayMs: 5 }
              })
          }
        })
      }
    )
    try {
      for (const n of d.nodes) rpc.fund(n.identity.iotaAddress, 10_000_000_000n)
      await d.runUntil(epochMs + 2 * slots.slotMs + slots.slotMs / 2)
      await d.waitFor('period-settled', e => e.node === d.nodes[1].id)
      await d.waitFor('period-settled', e => e.node === d.nodes[0].id)
      const bought = (await d.nodes[1].trades()).filter(t => t.status === 'committed')
      expect(bought.length).toBeGreaterThan(0)
      const owed = bought.reduce((a, t) => a + costNanos(t.decoded.terms.energyWh, t.decoded.terms.price), 0)
      const payments = ledgerTransactions(rpc.executions).payments.filter(x => x.transfers.length > 0)
      expect(payments).toHaveLength(1)
      expect(payments[0]!.sender).toBe(d.nodes[1].identity.iotaAddress)
      expect(payments[0]!.transfers).toEqual([{ to: d.nodes[0].identity.iotaAddress, amount: owed }])
      for (const n of d.nodes) expect(rpc.objectsOf(n.identity.iotaAddress, 'notarization').length).toBe(1)
      // anyone can check a trade: both signatures, the proof, and the root notarized on the ledger
      const t = bought[0]
      const proof = await d.nodes[0].journal.getProof(t.id)
      const v = await verifyTradeProof(d.nodes[0].settlement!, t.decoded, proof!.proof, proof!.root, proof!.attestationKey)
      expect(v.ok, JSON.stringify(v.checks)).toBe(true)
    } finally {
      await d.close()
      await rpc.close()
    }
  })
})
