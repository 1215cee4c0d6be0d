import { createPeerScoreParams, createTopicScoreParams } from '@libp2p/gossipsub/score'
import {
  districtDigestTopic,
  feederDigestTopic,
  mobilityTopic,
  mobilityZoneTopic,
  topicFor,
  TopicKind,
  type TopicKind as Kind
} from '@kvartal/protocol'

/**
 * Gossipsub only counts rejected messages on topics listed in `scoreParams.topics` (DESIGN.md, facts):
 * without topic parameters a peer that sends garbage keeps its mesh slots. Each district topic gets a
 * heavy penalty for invalid deliveries, so a few forged or malformed messages push the sender below the
 * graylist threshold.
 */
export function scoreParamsFor(
  district: string,
  feeder?: string,
  mobilityZones: readonly string[] = []
): ReturnType<typeof createPeerScoreParams> {
  const topics: Record<string, ReturnType<typeof createTopicScoreParams>> = {}
  const feederTopics = feeder == null || feeder === '' ? [] : [feederDigestTopic(district, feeder), districtDigestTopic(district)]
  for (const topic of [
    ...(Object.values(TopicKind) as Kind[]).map(kind => topicFor(district, kind, feeder)),
    ...feederTopics,
    mobilityTopic(district),
    ...mobilityZones.map(z => mobilityZoneTopic(district, z))
  ]) {
    topics[topic] = createTopicScoreParams({
      topicWeight: 1,
      timeInMeshWeight: 0.01,
      timeInMeshQuantum: 1_000,
      timeInMeshCap: 3_600,
      firstMessageDeliveriesWeight: 1,
      firstMessageDeliveriesDecay: 0.9,
      firstMessageDeliveriesCap: 20,
      meshMessageDeliveriesWeight: 0,
      meshFailurePenaltyWeight: 0,
      invalidMessageDeliveriesWeight: -100,
      invalidMessageDeliveriesDecay: 0.99
    })
  }
  return createPeerScoreParams({ topics, IPColocationFactorWeight: 0, behaviourPenaltyWeight: -1, behaviourPenaltyDecay: 0.99 })
}
