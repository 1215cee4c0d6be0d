/**
 * The soak's kill schedule, drawn in full from the seed before the run starts (mulberry32, as every
 * seeded choice in Kvartal): when each kill comes (offset from the start), which node dies, and how
 * long it stays down before it restarts from its data directory. The same seed gives the same schedule;
 * where each process stood when the signal came depends on the machine, and is what the soak explores.
 */
import { seededRandom } from '@kvartal/protocol'

export interface Kill {
  /** ms from the start of the run */
  readonly atMs: number
  /** index of the node in the district's list */
  readonly victim: number
  /** ms the node stays down before its restart */
  readonly downMs: number
}

export interface ScheduleOptions {
  readonly seed: number
  /** mean ms between kills; each gap is drawn uniformly from half to one and a half of it */
  readonly killEveryMs: number
  readonly nodes: number
  /** the schedule's length, ms */
  readonly durationMs: number
  /** the longest downtime, ms (drawn uniformly from 100 ms up to it) */
  readonly maxDownMs?: number
}

export function killSchedule(o: ScheduleOptions): Kill[] {
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be a whole number, got ${o.seed}`)
  if (!(o.killEveryMs > 0) || !(o.nodes > 0) || !(o.durationMs >= 0))
    throw new RangeError('killEveryMs and nodes must be positive, durationMs not negative')
  const random = seededRandom(o.seed)
  const maxDown = o.maxDownMs ?? 2_000
  const out: Kill[] = []
  for (let at = o.killEveryMs * (0.5 + random()); at < o.durationMs; at += o.killEveryMs * (0.5 + random())) {
    out.push({
      atMs: Math.round(at),
      victim: Math.floor(random() * o.nodes),
      downMs: Math.round(100 + random() * Math.max(0, maxDown - 100))
    })
  }
  return out
}

/** A partition of the district: from `atMs` for `forMs`, the nodes in `side` reach none of the others. */
export interface Partition {
  readonly atMs: number
  readonly forMs: number
  /** indexes of one side's nodes (never none, never all) */
  readonly side: readonly number[]
}

/**
 * Partitions drawn in full from the seed, one after another (never two at once): gaps drawn uniformly
 * from half to one and a half of `everyMs`, each lasting half to one and a half of `meanMs`, each node
 * on either side with even odds (drawn again until neither side is empty).
 */
export function partitionSchedule(o: { seed: number; everyMs: number; meanMs: number; nodes: number; durationMs: number }): Partition[] {
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be a whole number, got ${o.seed}`)
  if (!(o.everyMs > 0) || !(o.meanMs > 0) || !(o.nodes >= 2))
    throw new RangeError('everyMs and meanMs must be positive, and a partition needs two nodes')
  const random = seededRandom(o.seed ^ 0x9a27)
  const out: Partition[] = []
  for (let at = o.everyMs * (0.5 + random()); at < o.durationMs; ) {
    const forMs = Math.round(o.meanMs * (0.5 + random()))
    let side: number[] = []
    while (side.length === 0 || side.length === o.nodes) side = Array.from({ length: o.nodes }, (_, i) => i).filter(() => random() < 0.5)
    out.push({ atMs: Math.round(at), forMs, side })
    at += forMs + o.everyMs * (0.5 + random())
  }
  return out
}
