import { createHash } from 'node:crypto'
import { limits, type DigestEntry } from '@kvartal/protocol'
import type { BookEntry, OrderBook, ResidualOrder } from '@kvartal/market'
import type { KvartalHost, NodeIdentity } from '@kvartal/mesh'

// Which offers and bids a relay's digests list (relay-digests.ts): the cheapest offers per slot, the dearest
// bids, one entry per seller and slot, and which of the other feeders' offers a feeder's buyers see.

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Most entries per slot, and in all, that a relay's digest lists (cheapest first). */
// 40 per slot, twice a slot, reached the optimum's cross-feeder trade at 100 buildings but collapsed the
// market at 1,000 (local 97 % → 67 %): every feeder's buyers were sent to the same few cheapest sellers
const DIGEST_PER_SLOT = 16
/** Most residual bids per slot that a relay's district digest lists (dearest first): a feeder has about 40 buyers. */
const BIDS_PER_SLOT = 16
/** Most matched asks per slot that a relay's district digest lists (dearest first): what the hub may spare. */
export const MATCHED_PER_SLOT = 8
/** how many feeders' buyers see each residual offer of another feeder (seenHere) */
const FEEDERS_PER_OFFER = 2
/** entries in one digest, at most (the wire allows limits.maxDigestEntries) */
const DIGEST_MAX = 64

/**
 * Which of the other feeders' residual offers a feeder's relays pass on to its buyers: each offer goes to
 * about FEEDERS_PER_OFFER feeders, chosen by a hash of the feeder, the seller and the slot, so both relays of
 * a feeder choose alike and no coordination is needed. When every feeder's digest listed the district's
 * cheapest offers, every buyer of the district proposed to the same few sellers at once: at 1,000 buildings
 * in 6 dawn slots, 86,835 proposals across feeders were refused (no-capacity) for 47 that committed, since
 * each small offer can go to one buyer, and each buyer, short of more than all of them, proposed to each.
 */
export function seenHere(feeder: string, heard: readonly BookEntry[]): (e: BookEntry) => boolean {
  const feeders = new Set(heard.map(e => e.feeder)).size + 1
  const share = Math.min(1, FEEDERS_PER_OFFER / feeders)
  return e => createHash('sha256').update(`${feeder}/${e.trader}/${e.slot}`).digest().readUInt32BE(0) / 2 ** 32 < share
}
/** What a digest says, as one string: a digest is sent again only when this changed (or it is about to expire). */
export const digestKey = (
  entries: readonly DigestEntry[],
  bids: readonly DigestEntry[] = [],
  matched: readonly DigestEntry[] = []
): string =>
  [
    ...entries,
    ...bids.map(b => ({ ...b, buyer: b.trader, trader: new Uint8Array(0) })),
    ...matched.map(b => ({ ...b, buyer: new Uint8Array(1), trader: b.trader }))
  ]
    .map(e => `${hex(e.trader)}/${e.slot}/${e.energyWh}/${e.price}/${e.buyer != null ? hex(e.buyer) : ''}`)
    .join(',')

/** One entry per seller and slot: the one that leaves the least (two relays of a feeder may list it). */
export function uniqueOffers(entries: readonly BookEntry[]): BookEntry[] {
  const best = new Map<string, BookEntry>()
  for (const e of entries) {
    const k = `${e.trader}/${e.slot}`
    const prev = best.get(k)
    if (prev == null || e.energyWh - e.depletedWh < prev.energyWh - prev.depletedWh) best.set(k, e)
  }
  return [...best.values()]
}

/**
 * A feeder's residual bids (or matched asks) for its district digest: the first `perSlot` per slot as given
 * (dearest first), at most `max` in all.
 */
export function pickBids(bids: readonly ResidualOrder[], max: number, perSlot = BIDS_PER_SLOT): DigestEntry[] {
  const bySlot = new Map<number, ResidualOrder[]>()
  for (const b of bids) {
    const l = bySlot.get(b.slot) ?? []
    l.push(b)
    bySlot.set(b.slot, l)
  }
  const out: DigestEntry[] = []
  for (const slot of [...bySlot.keys()].sort((a, b) => a - b)) {
    for (const b of bySlot.get(slot)!.slice(0, perSlot))
      out.push({ trader: Buffer.from(b.trader, 'hex'), feeder: b.feeder, slot, energyWh: b.energyWh, price: b.price, addrs: [] })
  }
  return out.slice(0, max)
}

/** The relay that lists the offers: its key and first address for its own, the book's for the others'. */
export interface DigestLister {
  readonly identity: NodeIdentity
  readonly host: KvartalHost
  readonly book: OrderBook
}

/** The cheapest offers per slot, one entry per seller and slot, at most the digest's size in all. */
export function pickOffers(
  relay: DigestLister,
  candidates: readonly BookEntry[],
  onlyFeeder: string | undefined,
  perSlot = DIGEST_PER_SLOT,
  max = DIGEST_MAX
): DigestEntry[] {
  const best = new Map<string, BookEntry>()
  for (const e of candidates) {
    if (onlyFeeder != null && e.feeder !== onlyFeeder) continue
    const left = e.energyWh - e.depletedWh
    if (left <= 0) continue
    const k = `${e.trader}/${e.slot}`
    const prev = best.get(k)
    if (prev == null || left < prev.energyWh - prev.depletedWh) best.set(k, e)
  }
  const bySlot = new Map<number, BookEntry[]>()
  for (const e of best.values()) {
    const l = bySlot.get(e.slot) ?? []
    l.push(e)
    bySlot.set(e.slot, l)
  }
  const me = Buffer.from(relay.identity.signer.publicKey).toString('hex')
  const mine = relay.host
    .getMultiaddrs()
    .slice(0, 1)
    .map(a => a.bytes)
  const out: DigestEntry[] = []
  for (const slot of [...bySlot.keys()].sort((a, b) => a - b)) {
    const list = bySlot
      .get(slot)!
      .sort((a, b) => a.price - b.price || (a.trader < b.trader ? -1 : 1))
      .slice(0, perSlot)
    for (const e of list) {
      out.push({
        trader: Buffer.from(e.trader, 'hex'),
        feeder: e.feeder,
        slot,
        energyWh: e.energyWh - e.depletedWh,
        price: e.price,
        addrs: e.trader === me ? mine : relay.book.addrsOf(e.trader).slice(0, 1)
      })
    }
  }
  // nearest slots first: they close first
  return out.slice(0, Math.min(max, limits.maxDigestEntries))
}
