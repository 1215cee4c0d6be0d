import { TopicValidatorResult } from '@libp2p/gossipsub'
import {
  MalformedMessageError,
  type ProtocolError,
  WrongDistrictError,
  mobilityLimits,
  mobilityTopic,
  mobilityZoneTopic,
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
  /**
   * Mobility gossips by zone in this district: a service offer that names one zone (a vehicle) goes on that
   * zone's topic (mobilityZoneTopic), the others (transit) on the district's mobility topic. Absent: every
   * offer on the district's topic, as in a district that does not gossip by zone.
   */
  zoned?: boolean
  /** the zones whose topics this node reads besides the district's (with `zoned`: the zones around its home) */
  zones?: readonly string[]
  /** once per unique, well-formed, correctly signed service offer; throw a ProtocolError to refuse it */
  accept(message: Opened<'service-offer'>, from: PeerId): void
  refused?(error: ProtocolError, topic: string, from: PeerId): void
  /** keeps what was accepted or published, so peers that missed it can pull it (topic-sync.ts) */
  sync?: TopicSync
}

export interface MobilityGossip {
  start(): void
  stop(): void
  /**
   * Gossips a signed service offer: on its zone's topic when the district is zoned and the offer names one zone,
   * and then also on `alsoZone`'s (the zone a vehicle left: its readers learn that it moved); else on the district's.
   * Over gossipsub, a zone that no connected peer reads is replaced by the district's topic (once).
   */
  publish(envelope: Uint8Array, alsoZone?: string): Promise<void>
  readonly stats: GossipStats
  /** the topics this node reads */
  readonly subscriptions: readonly string[]
}

/**
 * The district's mobility topics: providers' signed service offers, on the district's topic and, in a district
 * that gossips by zone, on the topic of the one zone a vehicle's offer names. Validation follows the energy
 * topics' pattern (gossip-router.ts): a typed ProtocolError becomes ignore or reject, and the topics have score
 * parameters, so a peer that gossips forgeries loses its mesh slots. An offer on a zone's topic must name one
 * zone alone (a vehicle that moved says so on the zone it left, naming the zone it is in now).
 */
export function mobilityGossip(pubsub: GossipPort, init: MobilityGossipInit): MobilityGossip {
  const districtTopic = mobilityTopic(init.district)
  const zoneTopics = [...new Set(init.zones ?? [])].map(z => mobilityZoneTopic(init.district, z))
  const subscriptions = [districtTopic, ...zoneTopics]
  const stats: GossipStats = { published: 0, publishedBytes: 0, accepted: 0, acceptedBytes: 0, refused: {}, topics: {} }
  const topicStats = (topic: string): { published: number; received: number } => (stats.topics[topic] ??= { published: 0, received: 0 })
  for (const t of subscriptions) topicStats(t)
  // a provider's newer offer supersedes its older ones for the same agency (vehicle ids rotate per trip)
  const remember = (o: Opened<'service-offer'>['message'], data: Uint8Array): void => {
    init.sync?.remember(MOBILITY_SYNC_CODE, `${toHex(o.provider)}/${o.agencyId}`, o.seq, data, o.validUntil)
  }
  function check(from: PeerId, data: Uint8Array, onZoneTopic: boolean): void {
    const opened = openAs(data, 'service-offer', mobilityLimits.maxOfferBytes)
    if (opened.message.district !== init.district) throw new WrongDistrictError(opened.message.district, init.district)
    if (!signedBy(opened, opened.message.provider))
      throw new MalformedMessageError('service offer signed by someone other than its provider')
    if (onZoneTopic && opened.message.zones.length !== 1)
      throw new MalformedMessageError(`a service offer on a zone's topic names one zone, not ${opened.message.zones.length}`)
    init.accept(opened, from)
    remember(opened.message, data)
  }
  function validate(topic: string, from: PeerId, data: Uint8Array): TopicValidatorResult {
    topicStats(topic).received++
    try {
      check(from, data, topic !== districtTopic)
      stats.accepted++
      stats.acceptedBytes += data.length
      return TopicValidatorResult.Accept
    } catch (err) {
      return refusal(err, stats, e => init.refused?.(e, topic, from))
    }
  }
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
      // the service book keeps a decoded offer until it expires: a copy of its own bytes, not a view into
      // the 64 KiB buffer it arrived in (as gossip-router.ts does for announcements; tests/owned-bytes.test.ts)
      for (const topic of subscriptions) {
        pubsub.topicValidators.set(topic, (from, msg) => validate(topic, from, new Uint8Array(msg.data)))
        pubsub.subscribe(topic)
      }
      // pulled offers come from any of the topics: one that names one zone is as valid as on a zone's topic
      init.sync?.register(MOBILITY_SYNC_CODE, (data, from) => {
        check(from, data, false)
      })
    },
    stop() {
      for (const topic of subscriptions) {
        pubsub.topicValidators.delete(topic)
        try {
          pubsub.unsubscribe(topic)
        } catch {}
      }
    },
    async publish(envelope, alsoZone) {
      // the host allows publishing to zero peers: an offer is re-gossiped on schedule, and pulled by peers that missed it
      const offer = openAs(envelope, 'service-offer', mobilityLimits.maxOfferBytes).message
      if (init.sync != null) remember(offer, envelope)
      if (init.zoned !== true || offer.zones.length !== 1) {
        await send(districtTopic, envelope)
        return
      }
      const zones = alsoZone != null && alsoZone !== offer.zones[0] ? [offer.zones[0], alsoZone] : [offer.zones[0]]
      const topics = zones.map(z => mobilityZoneTopic(init.district, z))
      // A vehicle does not read its zone, so gossipsub sends on the zone's topic only to the connected peers known
      // to read it: with none, the offer would reach nobody (no peer forwards a topic it does not read). Then it
      // goes on the district's topic, which every node reads, once for both zones.
      const reached = topics.filter(t => pubsub.getSubscribers == null || pubsub.getSubscribers(t).length > 0)
      for (const t of reached) await send(t, envelope)
      if (reached.length < topics.length) await send(districtTopic, envelope)
    }
  }
}
