import { decodeTrade, fromHex } from '@kvartal/protocol'
import { verifyTradeProof } from '@kvartal/settlement'
import { periodMeterCheck, type KvartalNode } from '@kvartal/node'
import { ApiError } from './api-error.ts'
import type { Route } from './control-server.ts'

/**
 * GET /trades/:id/verify — what `kvartal verify` proves, done by the running node on its own journal
 * and ledger (the journal is locked while the node runs): both signatures, the inclusion proof and the
 * attested root, then the node's meter chain over the trade's period (`periodMeterCheck`), as the
 * command proves them from a stopped node's data directory. `{ proof: { ok, failed?, checks }, meter, ledger }`.
 */
export function verifyRoutes(node: KvartalNode): Route[] {
  return [
    {
      method: 'GET',
      path: '/trades/:id/verify',
      async handle(params) {
        const id = params.id
        if (!/^[0-9a-f]{64}$/.test(id))
          throw ApiError.field('trade-id', 'give the 64-hex-digit trade id (the correlation of a trade-committed log line)')
        const record = await node.journal.getTrade(id)
        if (record == null) throw new ApiError(404, 'unknown-trade', `trade-id: no trade ${id.slice(0, 16)}… in this node's journal`)
        const proof = await node.journal.getProof(id)
        if (proof == null)
          throw new ApiError(
            404,
            'not-settled',
            `trade-id: trade ${id.slice(0, 16)}… is not settled yet: its period has no attestation (it is settled when the period ends)`
          )
        if (node.settlement == null || node.options.settlement == null)
          throw new ApiError(409, 'no-settlement', 'this node runs without a settlement adapter: it cannot look up the attested root')
        const trade = decodeTrade(fromHex(record.trade))
        const result = await verifyTradeProof(node.settlement, trade, proof.proof, proof.root, proof.attestationKey)
        const meter = await periodMeterCheck(node.journal, String(proof.period), node.options.settlement.periodSlots, trade.terms.slot)
        return { proof: result, meter, ledger: node.settlement.name.split(' (')[0] }
      }
    }
  ]
}
