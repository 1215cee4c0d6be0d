/**
 * A SellerDesk on a real level journal and a simulated clock, and the buyer's end of a negotiation stream as
 * the desk reads it: the tests of the desk (seller-desk.test.ts, hold-lapses.test.ts) share these.
 */
import { join } from 'node:path'
import { SimulatedClock, seal, type NodeEvent, type Signer } from '@kvartal/protocol'
import { SlotPositions, fixedMarkup } from '@kvartal/market'
import type { FramedChannel } from '@kvartal/mesh'
import { Journal, SellerDesk } from '../../src/index.ts'
import type { SellerDeskDeps } from '../../src/seller-desk.ts'

export const slots = { epochMs: 1_000_000_000, slotMs: 900_000, gateClosureMs: 60_000 }

/**
 * A seller with 1,000 Wh in slot 0, retail 1,000 nanos/kWh, limit 400, holds of 10 s; its events go to `events`.
 * `extra` adds to or replaces its deps (a feeder, referrals).
 */
export async function sellerRig(dir: string, seller: Signer, extra: Partial<SellerDeskDeps> = {}) {
  const journal = await Journal.open(join(dir, 'j'), { sync: false })
  const clock = new SimulatedClock(slots.epochMs - 600_000)
  const positions = new SlotPositions()
  positions.setLimit(0, 1_000)
  const events: Array<Omit<NodeEvent, 'at' | 'node'>> = []
  const desk = new SellerDesk({
    signer: seller,
    district: 'd',
    journal,
    positions,
    strategy: fixedMarkup(),
    clock,
    slots,
    holdMs: 10_000,
    context: (slot, remainingWh) => ({
      now: clock.now(),
      slot,
      openedAt: 0,
      gateClosureAt: 1,
      tariffs: { retail: 1000, feedIn: 300 },
      limit: 400,
      remainingWh,
      random: Math.random
    }),
    emit: e => {
      events.push(e)
    },
    ...extra
  })
  return { journal, clock, positions, desk, events }
}

/** A proposal for slot 0, signed by `buyer`, valid for a minute of `now`. */
export function proposalOf(buyer: Signer, seller: Signer, id: Uint8Array, energyWh: number, price: number, now: number): Uint8Array {
  return seal(
    'proposal',
    {
      version: 1,
      district: 'd',
      id,
      buyer: buyer.publicKey,
      seller: seller.publicKey,
      slot: 0,
      energyWh,
      price,
      expiresAt: now + 60_000,
      round: 0
    },
    buyer
  )
}

/**
 * The buyer's end of one stream: `proposal` first; then what `next` makes of the desk's frames so far (a
 * confirm), or, without it, the buyer goes away. `sent` holds the desk's frames.
 */
export function buyerStream(
  proposal: Uint8Array,
  next?: (sent: Uint8Array[]) => Uint8Array
): { channel: FramedChannel; sent: Uint8Array[] } {
  const sent: Uint8Array[] = []
  let step = 0
  const channel = {
    remotePeer: undefined as never,
    send: async (f: Uint8Array) => {
      sent.push(f)
    },
    receive: async () => {
      if (step++ === 0) return proposal
      if (next == null) throw new Error('the buyer closed the stream')
      return next(sent)
    },
    close: async () => {},
    abort: () => {},
    // frames in memory take no simulated time
    elapsedMs: () => 0
  }
  return { channel: channel satisfies Omit<FramedChannel, 'remotePeer'> as unknown as FramedChannel, sent }
}
