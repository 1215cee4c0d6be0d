import { TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub'
import { MalformedMessageError, ProtocolError, WrongDistrictError, mobilityLimits, mobilityTopic, openAs, signedBy, type Opened } from '@kvartal/protocol'
import type { PeerId } from '@libp2p/interface'
import { refusal, type GossipStats } from './gossip-router.ts'

export interface MobilityGossipInit {
  district: string
  /** once per unique, well-formed, correctly signed service offer; throw a ProtocolError to refuse it */
  accept(message: Opened<'service-offer'>, from: PeerId): void
  refused?(error: ProtocolError, topic: string, from: PeerId): void
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
export function mobilityGossip (pubsub: GossipSub, init: MobilityGossipInit): MobilityGossip {
  const stats: GossipStats = { published: 0, publishedBytes: 0, accepted: 0, acceptedBytes: 0, refused: {} }
  const topic = mobilityTopic(init.district)
  function validate (from: PeerId, data: Uint8Array): TopicValidatorResult {
    try {
      const opened = openAs(data, 'service-offer', mobilityLimits.maxOfferBytes)
      if (opened.message.district !== init.district) throw new WrongDistrictError(opened.message.district, init.district)
      if (!signedBy(opened, opened.message.provider)) throw new MalformedMessageError('service offer signed by someone other than its provider')
      init.accept(opened, from)
      stats.accepted++; stats.acceptedBytes += data.length
      return TopicValidatorResult.Accept
    } catch (err) {
      return refusal(err, stats, (e) => init.refused?.(e, topic, from))
    }
  }
  return {
    stats,
    start () { pubsub.topicValidators.set(topic, (from, msg) => validate(from, msg.data)); pubsub.subscribe(topic) },
    stop () { pubsub.topicValidators.delete(topic); try { pubsub.unsubscribe(topic) } catch {} },
    async publish (envelope) {
      // the host allows publishing to zero peers: an offer is re-gossiped on schedule anyway
      await pubsub.publish(topic, envelope)
      stats.published++; stats.publishedBytes += envelope.length
    }
  }
}
