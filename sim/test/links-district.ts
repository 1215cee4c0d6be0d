import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultSlotClockConfig, slotStart, type NodeEvent } from '@kvartal/protocol'
import { fixedMarkup, timeDependentConcession } from '@kvartal/market'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal, type GridOptions, type KvartalNode } from '@kvartal/node'
import { runDistrict, type SimNodeSpec } from '../src/district-runner.ts'
import { defaultDistrictRunConfig } from '../src/district-run-config.ts'
import type { DistrictRunResult } from '../src/district-run-result.ts'
import { validateNetwork } from '../src/links/network-scenario.ts'

/**
 * A small district for the link-condition tests: two sellers of 1,000 Wh a slot and three buyers of
 * 500 Wh (every buyer can be served), real libp2p hosts on the memory transport, real level journals
 * in a temporary directory that the test reads after the run.
 */
export const slots = { ...defaultSlotClockConfig, epochMs: Date.UTC(2026, 5, 17, 0, 0) }
const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)
export const specs: SimNodeSpec[] = [
  {
    name: 's1',
    keySeed: key(1),
    strategy: fixedMarkup(),
    profile: { buyLimit: 900_000_000, sellLimit: 400_000_000, position: () => 1000 }
  },
  {
    name: 's2',
    keySeed: key(2),
    strategy: fixedMarkup(),
    profile: { buyLimit: 900_000_000, sellLimit: 400_000_000, position: () => 1000 }
  },
  {
    name: 'b1',
    keySeed: key(3),
    strategy: timeDependentConcession(),
    profile: { buyLimit: 900_000_000, sellLimit: 400_000_000, position: () => -500 }
  },
  {
    name: 'b2',
    keySeed: key(4),
    strategy: timeDependentConcession(),
    profile: { buyLimit: 850_000_000, sellLimit: 400_000_000, position: () => -500 }
  },
  {
    name: 'b3',
    keySeed: key(5),
    strategy: timeDependentConcession(),
    profile: { buyLimit: 800_000_000, sellLimit: 400_000_000, position: () => -500 }
  }
]

export interface Observed {
  /** simulated instant of the tick, after its work was done */
  at: number
  /** pairs of node indices "i-j" (i < j) with a connection open at either end */
  connected: Set<string>
  /** nodes that are running */
  running: boolean[]
  /** per node: the confirms it says are pending (`KvartalNode.pendingConfirms`), and its journal's pending buyer trades */
  pending: Array<{ said: number; journaled: number }>
}

export interface LinksRun {
  result: DistrictRunResult
  ticks: Observed[]
  events: NodeEvent[]
  /** node index by trader id (hex) and by peer id */
  byTrader: Map<string, number>
  /** every node's trades, read from its journal after the run */
  journals: Array<Array<{ id: string; role: string; status: string; slot: number; energyWh: number; buyer: string; seller: string }>>
}

export const at = (slot: number): number => slotStart(slots, slot)

/** `grids[i]`: node `i`'s feeder (absent: one feeder for all) */
export async function runLinks(slotCount: number, network: unknown, grids?: readonly GridOptions[]): Promise<LinksRun> {
  const ids = await Promise.all(specs.map(async s => await identityFromSeed(s.keySeed)))
  const byPeer = new Map(ids.map((x, i) => [x.peerId.toString(), i]))
  const byTrader = new Map(ids.map((x, i) => [x.id, i]))
  const dataRoot = await mkdtemp(join(tmpdir(), 'kvartal-links-'))
  try {
    const ticks: Observed[] = []
    const events: NodeEvent[] = []
    const observe = async (now: number, nodes: readonly KvartalNode[]): Promise<void> => {
      const pending = await Promise.all(
        nodes.map(async n =>
          n.state !== 'trading'
            ? { said: 0, journaled: 0 }
            : {
                said: n.pendingConfirms,
                journaled: (await n.journal.trades()).filter(t => t.role === 'buyer' && t.status === 'pending').length
              }
        )
      )
      const connected = new Set<string>()
      const running = nodes.map(n => n.state === 'trading')
      nodes.forEach((n, i) => {
        if (!running[i]) return
        for (const c of n.host.getConnections()) {
          const j = byPeer.get(c.remotePeer.toString())!
          connected.add(`${Math.min(i, j)}-${Math.max(i, j)}`)
        }
      })
      ticks.push({ at: now, connected, running, pending })
    }
    const result = await runDistrict({
      ...defaultDistrictRunConfig,
      district: 'test',
      slots,
      slotCount,
      tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
      seed: 1,
      dataRoot,
      network: validateNetwork(network, slotCount),
      onEvent: e => {
        events.push(e)
      },
      onTick: async (now, nodes) => {
        await observe(now, nodes)
      },
      nodes: grids == null ? specs : specs.map((s, i) => ({ ...s, grid: grids[i] }))
    })
    const journals = []
    for (const s of specs) {
      const j = await Journal.open(join(dataRoot, s.name))
      try {
        journals.push(
          (await j.trades()).map(t => ({
            id: t.id,
            role: t.role,
            status: t.status,
            slot: t.decoded.terms.slot,
            energyWh: t.decoded.terms.energyWh,
            buyer: Buffer.from(t.decoded.terms.buyer).toString('hex'),
            seller: Buffer.from(t.decoded.terms.seller).toString('hex')
          }))
        )
      } finally {
        await j.close()
      }
    }
    return { result, ticks, events, byTrader, journals }
  } finally {
    await rm(dataRoot, { recursive: true, force: true })
  }
}

/**
 * From the journals: trades committed on one side only (or still pending on the buyer's), and
 * seller-slots sold beyond what the seller had, buyer-slots bought beyond what the buyer needed.
 */
export function consistency(r: LinksRun): { oneSided: string[]; oversold: string[]; overbought: string[]; committed: number } {
  const sides = new Map<string, { buyer?: string; seller?: string }>()
  for (const j of r.journals)
    for (const t of j) {
      const s = sides.get(t.id) ?? {}
      s[t.role as 'buyer' | 'seller'] = t.status
      sides.set(t.id, s)
    }
  const oneSided = [...sides]
    .filter(([, s]) => (s.buyer === 'committed') !== (s.seller === 'committed') || s.buyer === 'pending')
    .map(([id, s]) => `${id.slice(0, 8)} buyer=${s.buyer} seller=${s.seller}`)
  const sold = new Map<string, number>()
  const bought = new Map<string, number>()
  for (const j of r.journals)
    for (const t of j) {
      if (t.status !== 'committed') continue
      const m = t.role === 'seller' ? sold : bought
      const k = `${t.role === 'seller' ? t.seller : t.buyer}/${t.slot}`
      m.set(k, (m.get(k) ?? 0) + t.energyWh)
    }
  const position = (trader: string, slot: number): number => specs[r.byTrader.get(trader)!].profile.position(slot)
  const oversold = [...sold]
    .filter(([k, wh]) => {
      const [t, s] = k.split('/')
      return wh > position(t, Number(s))
    })
    .map(([k]) => k)
  const overbought = [...bought]
    .filter(([k, wh]) => {
      const [t, s] = k.split('/')
      return wh > -position(t, Number(s))
    })
    .map(([k]) => k)
  return { oneSided, oversold, overbought, committed: [...sides.values()].filter(s => s.seller === 'committed').length }
}
