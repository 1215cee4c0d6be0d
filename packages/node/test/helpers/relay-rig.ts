import { OrderBook, SlotPositions } from '@kvartal/market'
import { limits, openAs, signerFromSeed, toHex, type Announcement, type Digest } from '@kvartal/protocol'
import type { DigestScope } from '@kvartal/mesh'
import { Announcer } from '../../src/announcer.ts'
import { defaultNodeOptions, type KvartalNodeOptions } from '../../src/options.ts'

export const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)

/** `trader`'s offer of one slot on `feeder`, valid for ever, as its announcement (seq 1) says it */
export const offerOf = (
  trader: number,
  o: { slot: number; energyWh: number; price: number; feeder: string; addrs?: Uint8Array[] }
): Announcement => ({
  version: 1,
  district: 'd',
  trader: key(trader),
  seq: 1,
  issuedAt: 0,
  validUntil: 1e15,
  offers: [{ slot: o.slot, energyWh: o.energyWh, price: o.price }],
  bids: [],
  addrs: o.addrs ?? [],
  feeder: o.feeder
})

/**
 * A relay of feeder `a` as the announcer runs it, with the real order book and positions: the host, journal and
 * gossip router are stand-ins, and every digest it publishes is opened (as a receiver would) and recorded.
 */
export function relayRig(fees: { local: number; district: number }): {
  announcer: Announcer
  book: OrderBook
  sent: Array<{ scope: DigestScope; d: Digest }>
} {
  const signer = signerFromSeed(key(7))
  const options = {
    ...defaultNodeOptions,
    district: 'd',
    profile: { buyLimit: 700_000_000, sellLimit: 300_000_000, position: () => 0 },
    grid: { feeder: 'a', fees, relay: true }
  } as unknown as KvartalNodeOptions
  const book = new OrderBook(toHex(signer.publicKey))
  const sent: Array<{ scope: DigestScope; d: Digest }> = []
  let counter = 0
  const announcer = new Announcer({
    options,
    host: { getMultiaddrs: () => [] } as any,
    identity: { signer } as any,
    journal: { nextCounter: async () => ++counter } as any,
    router: {
      publishDigest: async (scope: DigestScope, envelope: Uint8Array) => {
        sent.push({ scope, d: openAs(envelope, 'digest', limits.maxDigestBytes).message })
      }
    } as any,
    topicSync: {} as any,
    selling: new SlotPositions(),
    need: new SlotPositions(),
    book,
    random: () => 0.5,
    peerRandom: () => 0.5,
    emit: () => {}
  })
  return { announcer, book, sent }
}
