import { toHex } from '@kvartal/protocol'
import type { SlotPositions } from '@kvartal/market'
import type { BuyerLoop } from './buyer-loop.ts'
import type { Emit } from './events.ts'
import type { ImportShare } from './import-share.ts'
import type { Journal } from './journal.ts'
import type { SellerDesk } from './seller-desk.ts'

export interface RecoveryDeps {
  readonly journal: Journal
  readonly selling: SlotPositions
  readonly need: SlotPositions
  readonly seller: SellerDesk
  readonly imports: ImportShare
  readonly buying: BuyerLoop
  readonly emit: Emit
  /** the node's clock when recovery begins */
  readonly now: number
}

/**
 * Rebuilds a starting node's holds and commitments from its journal (kvartal-node.ts runs it last in
 * `start`), so a restart loses, doubles and leaks nothing.
 */
export async function recoverFromJournal(d: RecoveryDeps): Promise<void> {
  const { journal, selling, need, seller, now } = d
  for (const r of await journal.trades()) {
    const t = r.decoded.terms
    const cross = (t.buyerFeeder ?? '') !== (t.sellerFeeder ?? '')
    if (r.role === 'seller' && r.status === 'committed') {
      selling.addCommitted(t.slot, t.energyWh, toHex(t.negotiation))
      if (cross) seller.restoreCrossCommitted(t.slot, t.energyWh)
    }
    if (r.role === 'buyer' && (r.status === 'committed' || r.status === 'pending')) {
      need.addCommitted(t.slot, t.energyWh)
      if (cross) d.imports.restore(t.slot, t.energyWh)
    }
    if (r.role === 'buyer' && r.status === 'pending') d.buying.addRetries(1)
  }
  for (const h of await journal.holds()) {
    if (h.holdUntil <= now) {
      await journal.releaseHold(h.negotiation, 'expired-while-down')
      d.emit({
        type: 'reservation-released',
        slot: h.slot,
        correlation: h.negotiation,
        energyWh: h.energyWh,
        code: 'expired-while-down'
      })
      continue
    }
    // the limit is set when the slot is planned; a hold restored first keeps its energy reserved
    selling.setLimit(h.slot, Math.max(selling.limit(h.slot), selling.committed(h.slot) + selling.held(h.slot, now) + h.energyWh))
    selling.hold(
      {
        negotiation: h.negotiation,
        slot: h.slot,
        energyWh: h.energyWh,
        holdUntil: h.holdUntil,
        price: h.price,
        counterparty: h.counterparty
      },
      now
    )
    seller.restoreHold(h.negotiation, h.tradeId, h.cross === true ? { slot: h.slot, energyWh: h.energyWh } : undefined)
  }
}
