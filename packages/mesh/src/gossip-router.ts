import { TopicValidatorResult } from '@libp2p/gossipsub'
import {
  MalformedMessageError,
  ProtocolError,
  WrongDistrictError,
  WrongFeederError,
  districtDigestTopic,
  feederDigestTopic,
  limits,
  openAs,
  signedBy,
  toHex,
  topicFor,
  TopicKind,
  type Announcement,
  type Digest,
  type Opened,
  type TopicKind as Kind
} from '@kvartal/protocol'
import type { PeerId } from '@libp2p/interface'
import type { TopicSync } from './topic-sync.ts'
import type { GossipPort } from './process-gossip.ts'

/** Where a digest came from: the district's relays-only topic, or this node's own feeder's. */
export type DigestScope = 'district' | 'feeder'

export interface GossipRouterInit {
  district: string
  /** the node's feeder: it offers and bids on that feeder's topics; absent, on the district's */
  feeder?: string
  /** a feeder relay also reads the district's digest topic, where the relays of all feeders meet */
  relay?: boolean
  /**
   * Called once per unique, well-formed, correctly signed announcement, inside the topic validator.
   * Throw a ProtocolError (expired, replayed, …) to refuse it; its `action` decides whether gossipsub
   * ignores the message or penalises the peer that sent it.
   */
  accept(message: Opened<'announcement'>, kind: Kind, from: PeerId): void
  /** the same for a relay's digest (only with a feeder) */
  acceptDigest?(message: Opened<'digest'>, scope: DigestScope, from: PeerId): void
  /** told about every refused message, for events and metrics */
  refused?(error: ProtocolError, topic: string, from: PeerId): void
  /** keeps what was accepted or published, so peers that missed it can pull it (topic-sync.ts) */
  sync?: TopicSync
}

/**
 * The energy topics' codes in a sync response. The district's digest topic is not pulled: only relays
 * read it, a relay's digest is republished every slot it changes, and a non-relay puller would not
 * know the code.
 */
export const syncCodes: Record<Kind | 'digest', number> = { offer: 1, bid: 2, digest: 4 }

export interface TopicStats {
  published: number
  received: number
}

export interface GossipStats {
  published: number
  publishedBytes: number
  accepted: number
  acceptedBytes: number
  /** refusals by error code */
  refused: Record<string, number>
  /** per topic: messages published, and received (accepted or refused) */
  topics: Record<string, TopicStats>
}

export interface GossipRouter {
  start(): void
  stop(): void
  publish(kind: Kind, envelope: Uint8Array): Promise<void>
  /** a relay's digest: on the district's topic (its feeder's residual offers) or its feeder's (the others') */
  publishDigest(scope: DigestScope, envelope: Uint8Array): Promise<void>
  /** the topics this node reads */
  readonly subscriptions: readonly string[]
  readonly stats: GossipStats
}

/**
 * The one place a validator's failure becomes gossipsub's verdict: a typed ProtocolError keeps its
 * ignore / reject action, anything else is malformed (reject); each refusal is counted by code and told.
 */
export function refusal(err: unknown, stats: Pick<GossipStats, 'refused'>, tell: (e: ProtocolError) => void): TopicValidatorResult {
  const e = err instanceof ProtocolError ? err : new MalformedMessageError(`validator failed: ${(err as Error).message}`, { cause: err })
  stats.refused[e.code] = (stats.refused[e.code] ?? 0) + 1
  tell(e)
  return e.action === 'ignore' ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject
}

/**
 * Subscribes to the node's topics and owns their validation, Lodestar-style: one wrapper turns a typed
 * ProtocolError into gossipsub's accept / ignore / reject, and counts it. The handlers behind it are
 * synchronous (they update an in-memory order book), so no queue sits between gossipsub and the book;
 * gossipsub's own `messageProcessingConcurrency` bounds what is in flight.
 *
 * With a feeder, a node reads its feeder's offer, bid and digest topics — what it hears grows with its
 * feeder, not with the district — and a relay also reads the district's digest topic.
 */
export function gossipRouter(pubsub: GossipPort, init: GossipRouterInit): GossipRouter {
  const feeder = init.feeder ?? ''
  const stats: GossipStats = { published: 0, publishedBytes: 0, accepted: 0, acceptedBytes: 0, refused: {}, topics: {} }
  const topicStats = (topic: string): TopicStats => (stats.topics[topic] ??= { published: 0, received: 0 })
  // On a feeder, bids are read by its relays only: the hub's allocation is all that reads them (relay-digests.ts).
  // The other nodes publish theirs without reading anyone's, so a bid costs its feeder two deliveries, not one
  // per node (at 1,000 buildings, bids read by whole feeders were 15 of 39 gossip messages per node and slot)
  const reads = (kind: Kind): boolean => kind !== TopicKind.bid || feeder === '' || init.relay === true
  const topics = (Object.values(TopicKind) as Kind[]).filter(reads).map(kind => ({ kind, topic: topicFor(init.district, kind, feeder) }))
  const feederDigests = feeder === '' ? undefined : feederDigestTopic(init.district, feeder)
  const districtDigests = feeder !== '' && init.relay === true ? districtDigestTopic(init.district) : undefined

  /** checks and applies one announcement, from gossip or from a sync pull; throws a ProtocolError to refuse it */
  function check(from: PeerId, data: Uint8Array, kind: Kind): void {
    const opened = openAs(data, 'announcement', limits.maxAnnouncementBytes)
    const a: Announcement = opened.message
    if (a.district !== init.district) throw new WrongDistrictError(a.district, init.district)
    if ((a.feeder ?? '') !== feeder) throw new WrongFeederError(a.feeder ?? '', feeder)
    if (!signedBy(opened, a.trader)) throw new MalformedMessageError('announcement signed by someone other than its trader')
    if (kind === 'offer' ? a.bids.length > 0 : a.offers.length > 0)
      throw new MalformedMessageError(`a ${kind} announcement carries the other side's orders`)
    init.accept(opened, kind, from)
    init.sync?.remember(syncCodes[kind], toHex(a.trader), a.seq, data, a.validUntil)
  }

  /** checks and applies one digest; on the district topic a relay lists only its own feeder's sellers */
  function checkDigest(from: PeerId, data: Uint8Array, scope: DigestScope): void {
    const opened = openAs(data, 'digest', limits.maxDigestBytes)
    const d: Digest = opened.message
    if (d.district !== init.district) throw new WrongDistrictError(d.district, init.district)
    if (!signedBy(opened, d.relay)) throw new MalformedMessageError('digest signed by someone other than its relay')
    if (scope === 'feeder' && d.feeder !== feeder) throw new WrongFeederError(d.feeder, feeder)
    if (scope === 'district' && d.entries.some(e => e.feeder !== d.feeder))
      throw new MalformedMessageError("a relay exports only its own feeder's offers")
    if (scope === 'district' && (d.bids ?? []).some(e => e.feeder !== d.feeder))
      throw new MalformedMessageError("a relay lists only its own feeder's bids")
    if (scope === 'district' && d.entries.some(e => e.buyer != null))
      throw new MalformedMessageError("an entry for one buyer belongs on that buyer's feeder digest")
    if (scope === 'district' && (d.matched ?? []).some(e => e.feeder !== d.feeder))
      throw new MalformedMessageError("a relay lists only its own feeder's matched asks")
    if (scope === 'feeder' && d.bids != null) throw new MalformedMessageError("bids belong on the district's digest topic")
    if (scope === 'feeder' && d.matched != null) throw new MalformedMessageError("matched asks belong on the district's digest topic")
    if ((d.matched ?? []).some(b => b.buyer != null)) throw new MalformedMessageError('a matched ask names no buyer')
    if ((d.bids ?? []).some(b => b.buyer != null))
      throw new MalformedMessageError("a bid names its buyer as its trader, not as an entry's buyer")
    if ([...d.entries, ...(d.bids ?? []), ...(d.matched ?? [])].some(e => e.feeder === ''))
      throw new MalformedMessageError('a digest entry names no feeder')
    init.acceptDigest?.(opened, scope, from)
    // the catch-up store keeps one message per relay: an amendment there would displace the digest it amends
    if (scope === 'feeder' && d.amends == null) init.sync?.remember(syncCodes.digest, toHex(d.relay), d.seq, data, d.validUntil)
  }

  function validate(from: PeerId, topic: string, received: Uint8Array, apply: (data: Uint8Array) => void): TopicValidatorResult {
    topicStats(topic).received++
    // the book and the catch-up store keep what an announcement decodes to (addresses, ids) for hours,
    // and decoded fields are views into `received`, itself a view into a 64 KiB buffer (Node's
    // allocation pool, a socket read): kept as it came, every announcement held one such buffer. A copy
    // of its own bytes, once per unique message, keeps only them (tests/owned-bytes.test.ts)
    const data = new Uint8Array(received)
    try {
      apply(data)
      stats.accepted++
      stats.acceptedBytes += data.length
      return TopicValidatorResult.Accept
    } catch (err) {
      return refusal(err, stats, e => init.refused?.(e, topic, from))
    }
  }

  const subscriptions = [
    ...topics.map(t => t.topic),
    ...(feederDigests != null ? [feederDigests] : []),
    ...(districtDigests != null ? [districtDigests] : [])
  ]

  async function send(topic: string, envelope: Uint8Array): Promise<void> {
    await pubsub.publish(topic, envelope)
    stats.published++
    stats.publishedBytes += envelope.length
    topicStats(topic).published++
  }

  return {
    stats,
    subscriptions,
    start() {
      for (const { kind, topic } of topics) {
        pubsub.topicValidators.set(topic, (from, msg) =>
          validate(from, topic, msg.data, data => {
            check(from, data, kind)
          })
        )
        pubsub.subscribe(topic)
        init.sync?.register(syncCodes[kind], (data, from) => {
          check(from, data, kind)
        })
      }
      if (feederDigests != null) {
        pubsub.topicValidators.set(feederDigests, (from, msg) =>
          validate(from, feederDigests, msg.data, data => {
            checkDigest(from, data, 'feeder')
          })
        )
        pubsub.subscribe(feederDigests)
        init.sync?.register(syncCodes.digest, (data, from) => {
          checkDigest(from, data, 'feeder')
        })
      }
      if (districtDigests != null) {
        pubsub.topicValidators.set(districtDigests, (from, msg) =>
          validate(from, districtDigests, msg.data, data => {
            checkDigest(from, data, 'district')
          })
        )
        pubsub.subscribe(districtDigests)
      }
    },
    stop() {
      for (const topic of subscriptions) {
        pubsub.topicValidators.delete(topic)
        try {
          pubsub.unsubscribe(topic)
        } catch {}
      }
    },
    async publish(kind, envelope) {
      const topic = topicFor(init.district, kind, feeder)
      if (init.sync != null) {
        // kept first: peers that gossip misses now can still pull it
        const a = openAs(envelope, 'announcement', limits.maxAnnouncementBytes).message
        init.sync.remember(syncCodes[kind], toHex(a.trader), a.seq, envelope, a.validUntil)
      }
      await send(topic, envelope)
    },
    async publishDigest(scope, envelope) {
      const topic = scope === 'district' ? districtDigests : feederDigests
      if (topic == null)
        throw new Error(
          scope === 'district' ? "only a relay publishes on the district's digest topic" : 'a node without a feeder has no digest topic'
        )
      if (scope === 'feeder' && init.sync != null) {
        const d = openAs(envelope, 'digest', limits.maxDigestBytes).message
        if (d.amends == null) init.sync.remember(syncCodes.digest, toHex(d.relay), d.seq, envelope, d.validUntil)
      }
      await send(topic, envelope)
    }
  }
}
