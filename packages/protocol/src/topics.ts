/** Gossip topics and stream protocols. One topic per district and message kind. */
export const WIRE_VERSION = 1

export const TopicKind = { offer: 'offer', bid: 'bid' } as const
export type TopicKind = (typeof TopicKind)[keyof typeof TopicKind]

/**
 * A trader's offers and bids go on its feeder's topics, `/kvartal/<district>/feeder/<feeder>/<kind>/1`,
 * so that what a node hears grows with its feeder, not with the district. Without a feeder (the
 * district is one feeder, as for a block of a few dozen buildings) they go on `/kvartal/<district>/<kind>/1`.
 */
export function topicFor(district: string, kind: TopicKind, feeder?: string): string {
  return feeder == null || feeder === ''
    ? `/kvartal/${district}/${kind}/${WIRE_VERSION}`
    : `/kvartal/${district}/feeder/${feeder}/${kind}/${WIRE_VERSION}`
}

/** Where a feeder's relays gossip its residual offers to the other feeders' relays (only relays subscribe). */
export function districtDigestTopic(district: string): string {
  return `/kvartal/${district}/digest/${WIRE_VERSION}`
}
/** Where a feeder's relays gossip the other feeders' residual offers to the feeder's own buyers. */
export function feederDigestTopic(district: string, feeder: string): string {
  return `/kvartal/${district}/feeder/${feeder}/digest/${WIRE_VERSION}`
}

export function parseTopic(topic: string): { district: string; kind: TopicKind; feeder?: string } | undefined {
  const m = /^\/kvartal\/([^/]+)\/(?:feeder\/([^/]+)\/)?(offer|bid)\/1$/.exec(topic)
  if (m == null) return undefined
  return { district: m[1], kind: m[3] as TopicKind, ...(m[2] != null ? { feeder: m[2] } : {}) }
}

/** What a gossip topic carries, by its name: for counting what a node hears (the simulator's metrics). */
export type GossipTopicKind = 'offer' | 'bid' | 'feederDigest' | 'districtDigest' | 'mobility' | 'other'

export function gossipTopicKind(topic: string): GossipTopicKind {
  if (/^\/kvartal\/[^/]+\/mobility\/zone\/[0-9b-hjkmnp-z]{1,12}\/1$/.test(topic)) return 'mobility'
  const m = /^\/kvartal\/[^/]+\/(feeder\/[^/]+\/)?(offer|bid|digest|mobility)\/1$/.exec(topic)
  if (m == null) return 'other'
  const [, feeder, kind] = m
  if (kind === 'digest') return feeder != null ? 'feederDigest' : 'districtDigest'
  if (kind === 'mobility') return feeder == null ? 'mobility' : 'other'
  return kind as 'offer' | 'bid'
}

/** Direct buyer→seller negotiation over a libp2p stream. */
export const NEGOTIATION_PROTOCOL = '/kvartal/energy/negotiate/1.0.0'

/** Anti-entropy for the gossip topics: a node pulls from one peer the valid messages it missed. */
export const TOPIC_SYNC_PROTOCOL = '/kvartal/topics/sync/1'

/** District names travel in topics: keep them to a safe alphabet. */
export const DISTRICT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/

/** Upper bounds that keep a peer from making us allocate without limit. */
export const limits = {
  /** a gossiped announcement: 8 h of 15-min slots of offers and bids fit with room to spare */
  maxAnnouncementBytes: 8 * 1024,
  maxOrdersPerAnnouncement: 96,
  /** one negotiation frame */
  maxFrameBytes: 4 * 1024,
  maxDistrictLength: 63,
  maxAddrs: 8,
  /** a relay's digest: 160 entries of one address each fit in 24 KiB */
  maxDigestEntries: 160,
  maxDigestAddrs: 2,
  maxDigestBytes: 32 * 1024,
  /** a refusal's referrals to other sellers of the refusing seller's feeder */
  maxReferrals: 4
} as const

/** Gossip topic of a district's mobility service offers (with zone topics: those that name more than one zone, transit). */
export function mobilityTopic(district: string): string {
  return `/kvartal/${district}/mobility/${WIRE_VERSION}`
}

/** A geohash (the alphabet of zones.ts's cells), as a zone topic names it. */
export const ZONE_PATTERN = /^[0-9b-hjkmnp-z]{1,12}$/

/**
 * Gossip topic of the service offers that name one zone (a vehicle parked there), in a district whose mobility
 * gossips by zone: a traveller reads the zones around its home, so what it hears grows with the vehicles near it,
 * not with the district.
 */
export function mobilityZoneTopic(district: string, zone: string): string {
  if (!ZONE_PATTERN.test(zone)) throw new RangeError(`a zone is a geohash, got ${JSON.stringify(zone)}`)
  return `/kvartal/${district}/mobility/zone/${zone}/${WIRE_VERSION}`
}
/** Traveller → provider: quotes, holds, commits, releases and cancellations over one stream per exchange. */
export const BOOKING_PROTOCOL = '/kvartal/mobility/booking/1.0.0'
/** Vehicle → traveller, while a shared vehicle is in use: usage reports answered by cumulative receipts. */
export const RIDE_PROTOCOL = '/kvartal/mobility/ride/1.0.0'
