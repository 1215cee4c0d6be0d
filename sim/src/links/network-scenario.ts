import { ConfigError } from '@kvartal/protocol'
import { isObj, known, num, sub } from '../fields.ts'

/**
 * The `network:` section of a scenario: the conditions of the links between nodes (docs/simulator.md,
 * "Link conditions"). Plain fields, so that a sweep can vary any of them by dotted path
 * (`network.loss`, `network.latency.ms`, `network.partitions[0].untilSlot`). Every field has a
 * default that leaves the network perfect.
 */
export interface NetworkScenario {
  /** seeds every link's decisions; default: the scenario's seed */
  seed?: number
  /** share of messages lost on every link, 0–0.5: each gossip message and each stream frame, decided by seeded hash */
  loss: number
  /** one-way delay of each message on a link, simulated ms (reported; see the docs for what it can and cannot change) */
  latency: { distribution: LatencyDistribution, ms: number, spreadMs: number }
  /** per link and direction; adds each message's transmission time to its delay. 0: unlimited */
  bandwidthKbps: number
  /** cuts between a group of nodes and the rest, from the start of one slot to the start of another */
  partitions: PartitionSpec[]
  /** nodes that stop at the start of one slot and start again from their data directory at another */
  churn: ChurnSpec[]
}

export type LatencyDistribution = 'fixed' | 'uniform' | 'normal'

export interface PartitionSpec {
  /** first slot of the run (0-based, in the run's slots) that the cut covers */
  fromSlot: number
  /** the slot at whose start the cut heals (exclusive) */
  untilSlot: number
  /** the group cut off from every other node: these nodes by name … */
  nodes: string[]
  /** … and every node of these feeders */
  feeders: string[]
}

export interface ChurnSpec {
  node: string
  leaveSlot: number
  rejoinSlot: number
}

export const defaultNetworkScenario: NetworkScenario = {
  loss: 0,
  latency: { distribution: 'fixed', ms: 0, spreadMs: 0 },
  bandwidthKbps: 0,
  partitions: [],
  churn: []
}

/** Any condition at all: without one the simulator wires nothing into the hosts. */
export function hasConditions (n: NetworkScenario): boolean {
  return n.loss > 0 || n.latency.ms > 0 || n.latency.spreadMs > 0 || n.bandwidthKbps > 0 || n.partitions.length > 0 || n.churn.length > 0
}

const distributions: LatencyDistribution[] = ['fixed', 'uniform', 'normal']

/**
 * Validates the `network:` section. Node and feeder names are checked against the district when the
 * scenario is prepared (`checkNetworkNames`), since generated districts name their nodes only then.
 */
export function validateNetwork (doc: unknown, slotCount: number): NetworkScenario {
  if (doc == null) return { ...defaultNetworkScenario, partitions: [], churn: [] }
  if (!isObj(doc)) throw new ConfigError('network', 'must be a mapping')
  const d = defaultNetworkScenario
  known(doc, 'network', ['seed', 'loss', 'latency', 'bandwidthKbps', 'partitions', 'churn'])
  const latency = sub(doc, 'latency', 'network')
  known(latency, 'network.latency', ['distribution', 'ms', 'spreadMs'])
  const distribution = latency.distribution ?? d.latency.distribution
  if (typeof distribution !== 'string' || !distributions.includes(distribution as LatencyDistribution)) throw new ConfigError('network.latency.distribution', `must be one of ${distributions.join(', ')}, got ${JSON.stringify(distribution)}`)
  const list = (key: string): unknown[] => {
    const v = doc[key]
    if (v == null) return []
    if (!Array.isArray(v)) throw new ConfigError(`network.${key}`, 'must be a list')
    return v
  }
  const slotRange = (o: Record<string, unknown>, path: string, from: string, until: string): [number, number] => {
    const a = num(o, from, path, NaN, { min: 0, max: slotCount - 1, integer: true })
    const b = num(o, until, path, NaN, { min: 1, max: slotCount, integer: true })
    if (Number.isNaN(a)) throw new ConfigError(`${path}.${from}`, 'is required')
    if (Number.isNaN(b)) throw new ConfigError(`${path}.${until}`, 'is required')
    if (b <= a) throw new ConfigError(`${path}.${until}`, `must be after ${from} (${a}), got ${b}`)
    return [a, b]
  }
  const names = (o: Record<string, unknown>, key: string, path: string): string[] => {
    const v = o[key]
    if (v == null) return []
    if (!Array.isArray(v) || v.some(x => typeof x !== 'string' || x === '')) throw new ConfigError(`${path}.${key}`, 'must be a list of names')
    return v as string[]
  }
  const partitions = list('partitions').map((p, i): PartitionSpec => {
    const path = `network.partitions[${i}]`
    if (!isObj(p)) throw new ConfigError(path, 'must be a mapping')
    known(p, path, ['fromSlot', 'untilSlot', 'nodes', 'feeders'])
    const [fromSlot, untilSlot] = slotRange(p, path, 'fromSlot', 'untilSlot')
    const nodes = names(p, 'nodes', path)
    const feeders = names(p, 'feeders', path)
    if (nodes.length + feeders.length === 0) throw new ConfigError(path, 'names no node and no feeder to cut off')
    return { fromSlot, untilSlot, nodes, feeders }
  })
  const churn = list('churn').map((c, i): ChurnSpec => {
    const path = `network.churn[${i}]`
    if (!isObj(c)) throw new ConfigError(path, 'must be a mapping')
    known(c, path, ['node', 'leaveSlot', 'rejoinSlot'])
    if (typeof c.node !== 'string' || c.node === '') throw new ConfigError(`${path}.node`, 'must be a node\'s name')
    const [leaveSlot, rejoinSlot] = slotRange(c, path, 'leaveSlot', 'rejoinSlot')
    return { node: c.node, leaveSlot, rejoinSlot }
  })
  // one node, one absence at a time: a second leave while away means nothing
  for (const [i, a] of churn.entries()) {
    for (const b of churn.slice(0, i)) {
      if (a.node === b.node && a.leaveSlot < b.rejoinSlot && b.leaveSlot < a.rejoinSlot) throw new ConfigError(`network.churn[${i}]`, `"${a.node}" is already away then`)
    }
  }
  return {
    ...(doc.seed != null ? { seed: num(doc, 'seed', 'network', 0, { min: 0, integer: true }) } : {}),
    loss: num(doc, 'loss', 'network', d.loss, { min: 0, max: 0.5 }),
    latency: {
      distribution: distribution as LatencyDistribution,
      ms: num(latency, 'ms', 'network.latency', d.latency.ms, { min: 0, max: 600_000 }),
      spreadMs: num(latency, 'spreadMs', 'network.latency', d.latency.spreadMs, { min: 0, max: 600_000 })
    },
    bandwidthKbps: num(doc, 'bandwidthKbps', 'network', d.bandwidthKbps, { min: 0 }),
    partitions,
    churn
  }
}

/** Refuses a partition or churn entry that names a node or feeder the district does not have. */
export function checkNetworkNames (n: NetworkScenario, nodes: readonly string[], feeders: readonly string[]): void {
  const known = new Set(nodes)
  const knownFeeders = new Set(feeders)
  for (const [i, p] of n.partitions.entries()) {
    for (const [j, x] of p.nodes.entries()) if (!known.has(x)) throw new ConfigError(`network.partitions[${i}].nodes[${j}]`, `no node is named "${x}"`)
    for (const [j, x] of p.feeders.entries()) if (!knownFeeders.has(x)) throw new ConfigError(`network.partitions[${i}].feeders[${j}]`, `no feeder is named "${x}" (feeders: ${[...knownFeeders].join(', ') || 'none'})`)
  }
  for (const [i, c] of n.churn.entries()) if (!known.has(c.node)) throw new ConfigError(`network.churn[${i}].node`, `no node is named "${c.node}"`)
}
