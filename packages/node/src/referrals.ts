import { fromHex, limits, type DigestEntry } from '@kvartal/protocol'
import type { BookEntry, OrderBook } from '@kvartal/market'
import type { KvartalNodeOptions } from './options.ts'
import { isLastCall } from './trading-context.ts'

/** Among how many offers of its feeder, those with the most energy left, a refusing seller picks its referrals. */
const REFERRAL_POOL = 2 * limits.maxReferrals

/**
 * What a seller tells a buyer of another feeder that it refuses for want of energy (sold out, held for others, its
 * transformer share used) at the slot's last call: sellers of its own feeder that still offer the slot, as its book
 * has them from their own announcements (never what it heard relayed, never the buyer, never itself).
 *
 * Why: a buyer finds a seller of another feeder through a relay's digest, written up to a slot ago, which lists
 * each feeder's cheapest residual offers. By the last call those are sold, and the energy of other feeders that is
 * left, and would go to the grid, is with sellers no digest named: in a 1,000-building morning, buyers short at the
 * gate could have bought about 76 kWh from sellers of other feeders that exported at prices both limits allowed.
 * The refusing seller hears its feeder directly, so its refusal can say where energy is left now, at no gossip.
 *
 * Only at the last call: before it, referred buyers took other feeders' energy that their own feeder's sellers would
 * have sold them, and those sellers went to the grid (the same morning: local energy 95.1 % → 94.3 % with referrals
 * on every tick, 94.9 % on the last two, 95.4 % on the last only). At the last call a buyer has already gone to its
 * own feeder first (buyer-loop.ts).
 *
 * The pool is the sellers with the most energy left (the cheapest sell out first, and are what digests list), and
 * each buyer gets its own `limits.maxReferrals` of them, from an offset its key and the slot choose, so that the
 * buyers refused at one instant do not all go to the same few. Each referred seller answers for itself: a seller
 * that lies in its referrals costs a buyer at most `limits.maxReferrals` refused proposals, never energy sold twice.
 */
export function referralsFor(
  book: OrderBook,
  o: Pick<KvartalNodeOptions, 'slots' | 'ticksPerSlot' | 'grid'>,
  r: { slot: number; buyer: string; now: number }
): DigestEntry[] {
  const feeder = o.grid?.feeder ?? ''
  if (feeder === '' || !isLastCall(o, r.slot, r.now)) return []
  const left = (e: BookEntry): number => e.energyWh - e.depletedWh - ((e.heldUntil ?? 0) > r.now ? (e.heldWh ?? 0) : 0)
  const pool = book
    .forSlot('offer', r.slot, r.now)
    .filter(e => e.relayed !== true && e.feeder === feeder && e.trader !== r.buyer && left(e) > 0)
    .sort((a, b) => left(b) - left(a) || (a.trader < b.trader ? -1 : 1))
    .slice(0, REFERRAL_POOL)
  const from = (Number.parseInt(r.buyer.slice(0, 8), 16) + r.slot) % Math.max(1, pool.length)
  return Array.from({ length: Math.min(limits.maxReferrals, pool.length) }, (_, i) => {
    const e = pool[(from + i) % pool.length]
    const addrs = book.addrsOf(e.trader).slice(0, limits.maxDigestAddrs)
    return { trader: fromHex(e.trader), feeder, slot: r.slot, energyWh: left(e), price: e.price, addrs }
  })
}
