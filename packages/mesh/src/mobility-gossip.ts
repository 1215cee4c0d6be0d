import { TopicValidatorResult } from '@libp2p/gossipsub'
import {
  MalformedMessageError,
  type ProtocolError,
  WrongDistrictError,
  mobilityLimits,
  mobilityTopic,
  openAs,
  signedBy,
  toHex,
  type Opened
} from '@kvartal/protocol'
import type { PeerId } from '@libp2p/interface'
import { refusal, type GossipStats } from './gossip-router.ts'
import type { TopicSync } from './topic-sync.ts'
import type { GossipPort } from './process-gossip.ts'

/** the mobility topic's code in a sync response */
export const MOBILITY_SYNC_CODE = 3

export interface MobilityGossipInit {
  district: string
  /** once per unique, well-formed, correctly signed service offer; throw a ProtocolError to refuse it */
  accept(message: Opened<'service-offer'>, from: PeerId): void
  refused?(error: ProtocolError, topic: string, from: PeerId): void
  /** keeps what was accepted or published, so peers that missed it can pull it (topic-sync.ts) */
  sync?: TopicSync
}

export interface MobilityGossip {
  start(): void
  stop(): void
  publish(envelope: Uint8Array): Promise<void>
  readonly stats: GossipStats
}

/**
 * The district's mobility topic: providers' signed service offers. Validation follows the energy
 * topics' pattern (gossip-router.ts): a typed ProtocolError becomes ignore or reject, and the topic has
 * score parameters, so a peer that gossips forgeries loses its mesh slots.
 */
export function mobilityGossip(pubsub: GossipPort, init: MobilityGossipInit): MobilityGossip {
  const topic = mobilityTopic(init.district)
  const perTopic = { published: 0, received: 0 }
  const stats: GossipStats = { published: 0, publishedBytes: 0, accepted: 0, acceptedBytes: 0, refused: {}, topics: { [topic]: perTopic } }
  // a provider's newer offer supersedes its older ones for the same agency (vehicle ids rotate per trip)
  const remember = (o: Opened<'service-offer'>['message'], data: Uint8Array): void => {
    init.sync?.remember(MOBILITY_SYNC_CODE, `${toHex(o.provider)}/${o.agencyId}`, o.seq, data, o.validUntil)
  }
  function check(from: PeerId, data: Uint8Array): void {
    const opened = openAs(data, 'service-offer', mobilityLimits.maxOfferBytes)
    if (opened.message.district !== init.district) throw new WrongDistrictError(opened.message.district, init.district)
    if (!signedBy(opened, opened.message.provider))
      throw new MalformedMessageError('service offer signed by someone other than its provider')
    init.accept(opened, from)
    remember(opened.message, data)
  }
  function validate(from: PeerId, data: Uint8Array): TopicValidatorResult {
    perTopic.received++
    try {
      check(from, data)
      stats.accepted++
      stats.acceptedBytes += data.length
      return TopicValidatorResult.Accept
    } catch (err) {
      return refusal(err, stats, e => init.refused?.(e, topic, from))
    }
  }
  return {
    stats,
    start() {
      // the service book keeps a decoded offer until it expires: a copy of its own bytes, not a view into
      // the 64 KiB buffer it arrived in (as gossip-router.ts does for announcements; tests/owned-bytes.test.ts)
      pubsub.topicValidators.set(topic, (from, msg) => validate(from, new Uint8Array(msg.data)))
      pubsub.subscribe(topic)
      init.sync?.register(MOBILITY_SYNC_CODE, (data, from) => {
        check(from, data)
      })
    },
    stop() {
      pubsub.topicValidators.delete(topic)
      try {
        pubsub.unsubscribe(topic)
      } catch {}
    },
    async publish(envelope) {
      // the host allows publishing to zero peers: an offer is re-gossiped on schedule, and pulled by peers that missed it
      if (init.sync != null) remember(openAs(envelope, 'service-offer', mobilityLimits.maxOfferBytes).message, envelope)
      await pubsub.publish(topic, envelope)
      stats.published++
      stats.publishedBytes += envelope.length
      perTopic.published++
    }
  }
}
