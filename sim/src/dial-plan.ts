import { multiaddr } from '@multiformats/multiaddr'
import type { KvartalNode } from '@kvartal/node'
import type { DistrictRunConfig } from './district-run-config.ts'
import type { SimNodeSpec } from './node-spec.ts'

/**
 * Dials, for each of `from`, the nodes its plan names at the address `addressOf` gives (a TCP
 * district, where addresses are known only once every node listens), retrying a few times.
 */
export async function dialAlong(
  c: DistrictRunConfig,
  nodes: readonly KvartalNode[],
  from: readonly number[],
  dials: readonly number[][],
  addressOf: (j: number) => string
): Promise<void> {
  // a few dozen at a time: a thousand noise handshakes at once on two cores outlast any timeout
  const queue = from.flatMap(i => dials[i].map(j => [i, j] as const))
  await Promise.all(
    Array.from({ length: Math.min(32, queue.length) }, async () => {
      for (let next = queue.shift(); next != null; next = queue.shift()) await dialOne(...next)
    })
  )
  async function dialOne(i: number, j: number): Promise<void> {
    const to = multiaddr(addressOf(j))
    for (let attempt = 0; ; attempt++) {
      try {
        await nodes[i].host.dial(to, { signal: AbortSignal.timeout(10_000) })
        return
      } catch (err) {
        if (attempt >= 5)
          throw new Error(`${c.nodes[i].name} could not dial ${c.nodes[j].name} at ${String(to)}: ${(err as Error).message}`)
        await new Promise(resolve => setTimeout(resolve, 50 * (attempt + 1)))
      }
    }
  }
}

/**
 * Whom each node dials at start (earlier nodes only, so every node is reachable once it starts): up to
 * `degree` random nodes of its own feeder — gossipsub builds a topic's mesh only among connected peers,
 * and a node reads its feeder's topics — and a relay also up to `degree` random relays (of any
 * feeder), since the district's digests travel only among relays. Without feeders, `degree` random earlier nodes.
 * Vehicles and operators move between feeders; they dial as their feeder's buildings do.
 */
export function dialPlan(specs: readonly SimNodeSpec[], degree: number, rnd: () => number): number[][] {
  const pick = (pool: number[], k: number): number[] => {
    const picks = new Set<number>()
    while (picks.size < Math.min(k, pool.length)) picks.add(pool[Math.floor(rnd() * pool.length)])
    return [...picks]
  }
  return specs.map((spec, i) => {
    const earlier = Array.from({ length: i }, (_, j) => j)
    const feeder = spec.grid?.feeder
    if (feeder == null) return pick(earlier, degree)
    const out = pick(
      earlier.filter(j => specs[j].grid?.feeder === feeder),
      degree
    )
    if (spec.grid?.relay === true)
      out.push(
        ...pick(
          earlier.filter(j => specs[j].grid?.relay === true && !out.includes(j)),
          degree
        )
      )
    // the first node of a feeder reaches the rest of the district through one earlier node
    if (out.length === 0 && i > 0) out.push(...pick(earlier, 1))
    return out
  })
}
