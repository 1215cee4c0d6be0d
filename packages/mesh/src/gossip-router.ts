import { TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub'
import {
  MalformedMessageError, ProtocolError, WrongDistrictError, limits, openAs, parseTopic, signedBy, toHex, topicFor, TopicKind,
  type Announcement, type Opened, type TopicKind as Kind
} from '@kvartal/protocol'
import type { PeerId } from '@libp2p/interface'
import type { TopicSync } from './topic-sync.ts'

export interface GossipRouterInit {
  district: string
  /**
   * Called once per unique, well-formed, correctly signed announcement, inside the topic validator.
   * Throw a ProtocolError (expired, replayed, …) to refuse it; its `action` decides whether gossipsub
   * ignores the message or penalises the peer that sent it.
   */
  accept(message: Opened<'announcement'>, kind: Kind, from: PeerId): void
  /** told about every refused message, for events and metrics */
  refused?(error: ProtocolError, topic: string, from: PeerId): void
  /** keeps what was accepted or published, so peers that missed it can pull it (topic-sync.ts) */
  sync?: TopicSync
}

/** the energy topics' codes in a sync response */
export const syncCodes: Record<Kind, number> = { offer: 1, bid: 2 }

export interface GossipStats {
  published: number
  publishedBytes: number
  accepted: number
  acceptedBytes: number
  /** refusals by error code */
  refused: Record<string, number>
}

export interface GossipRouter {
  start(): void
  stop(): void
  publish(kind: Kind, envelope: Uint8Array): Promise<void>
  readonly stats: GossipStats
}

/**
 * Subscribes to the district's topics and owns their validation, Lodestar-style: one wrapper turns a
 * typed ProtocolError into gossipsub's accept / ignore / reject, and counts it. The handler behind it is
 * synchronous (it updates an in-memory order book), so no queue sits between gossipsub and the book;
 * gossipsub's own `messageProcessingConcurrency` bounds what is in flight.
 */
/**
 * The one place a validator's failure becomes gossipsub's verdict: a typed ProtocolError keeps its
 * ignore / reject action, anything else is malformed (reject); each refusal is counted by code and told.
 */
export function refusal (err: unknown, stats: GossipStats, tell: (e: ProtocolError) => void): TopicValidatorResult {
  const e = err instanceof ProtocolError ? err : new MalformedMessageError(`validator failed: ${(err as Error).message}`, { cause: err })
  stats.refused[e.code] = (stats.refused[e.code] ?? 0) + 1
  tell(e)
  return e.action === 'ignore' ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject
}

export function gossipRouter (pubsub: GossipSub, init: GossipRouterInit): GossipRouter {
  const stats: GossipStats = { published: 0, publishedBytes: 0, accepted: 0, acceptedBytes: 0, refused: {} }
  const topics = (Object.values(TopicKind) as Kind[]).map(kind => ({ kind, topic: topicFor(init.district, kind) }))

  /** checks and applies one announcement, from gossip or from a sync pull; throws a ProtocolError to refuse it */
  function check (from: PeerId, data: Uint8Array, kind: Kind): void {
    const opened = openAs(data, 'announcement', limits.maxAnnouncementBytes)
    const a: Announcement = opened.message
    if (a.district !== init.district) throw new WrongDistrictError(a.district, init.district)
    if (!signedBy(opened, a.trader)) throw new MalformedMessageError('announcement signed by someone other than its trader')
    if (kind === 'offer' ? a.bids.length > 0 : a.offers.length > 0) throw new MalformedMessageError(`a ${kind} announcement carries the other side's orders`)
    init.accept(opened, kind, from)
    init.sync?.remember(syncCodes[kind], toHex(a.trader), a.seq, data, a.validUntil)
  }

  function validate (from: PeerId, topic: string, data: Uint8Array, kind: Kind): TopicValidatorResult {
    try {
      check(from, data, kind)
      stats.accepted++
      stats.acceptedBytes += data.length
      return TopicValidatorResult.Accept
    } catch (err) {
      return refusal(err, stats, (e) => init.refused?.(e, topic, from))
    }
  }

  return {
    stats,
    start () {
      for (const { kind, topic } of topics) {
        pubsub.topicValidators.set(topic, (from, msg) => validate(from, topic, msg.data, kind))
        pubsub.subscribe(topic)
        init.sync?.register(syncCodes[kind], (data, from) => { check(from, data, kind) })
      }
    },
    stop () {
      for (const { topic } of topics) {
        pubsub.topicValidators.delete(topic)
        try { pubsub.unsubscribe(topic) } catch {}
      }
    },
    async publish (kind, envelope) {
      const topic = topicFor(init.district, kind)
      if (parseTopic(topic) == null) throw new Error(`bad topic ${topic}`)
      if (init.sync != null) {
        // kept first: peers that gossip misses now can still pull it
        const a = openAs(envelope, 'announcement', limits.maxAnnouncementBytes).message
        init.sync.remember(syncCodes[kind], toHex(a.trader), a.seq, envelope, a.validUntil)
      }
      await pubsub.publish(topic, envelope)
      stats.published++
      stats.publishedBytes += envelope.length
    }
  }
}
