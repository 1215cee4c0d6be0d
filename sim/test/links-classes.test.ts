import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import {
  LinkClasses,
  LinkModel,
  checkNetworkNames,
  defaultNetworkScenario,
  defaultWorkers,
  hasConditions,
  loadScenario,
  validateNetwork,
  validateScenario,
  type LinkNodes,
  type NetworkScenario
} from '../src/index.ts'

const net = (n: Partial<NetworkScenario>): NetworkScenario => ({ ...defaultNetworkScenario, ...n })
const fixed = (ms: number) => ({ distribution: 'fixed' as const, ms, spreadMs: 0 })
const message = (i: number): Uint8Array => new TextEncoder().encode(`announcement ${i} of some seller`)

// nodes 0, 1, 2 on f1, nodes 3, 4, 5 on f2; node 2 in the group lte, nodes 4 and 5 in the group fibre
const nodes: LinkNodes = { feeders: ['f1', 'f1', 'f1', 'f2', 'f2', 'f2'], groups: [new Set([2]), new Set([4, 5, 2])] }
const district = net({
  loss: 0.01,
  latency: fixed(10),
  withinFeeder: { latency: fixed(2) },
  acrossFeeders: { loss: 0.2, latency: fixed(40), bandwidthKbps: 1000 },
  groups: [
    { name: 'lte', nodes: ['household-03'], feeders: [], loss: 0.3 },
    { name: 'fibre', nodes: [], feeders: ['f2'], latency: fixed(1) }
  ]
})

describe('which conditions each link gets (links/link-classes.ts)', () => {
  it('inside a feeder, across feeders, a group over either, the first group listed over a later one, field by field', () => {
    const c = new LinkClasses(district, nodes)
    const at = (a: number, b: number): [string, number, number, number] => {
      const { index, condition: x } = c.of(a, b)
      return [c.names[index], x.loss, x.latency.ms, x.bandwidthKbps]
    }
    expect(c.names).toEqual(['withinFeeder', 'acrossFeeders', 'lte', 'fibre'])
    // inside f1: withinFeeder's latency, the district's loss and bandwidth
    expect(at(0, 1)).toEqual(['withinFeeder', 0.01, 2, 0])
    // f1 to f2: acrossFeeders, every field its own
    expect(at(0, 3)).toEqual(['acrossFeeders', 0.2, 40, 1000])
    // lte's loss over the rest of its link's class: inside f1, across to f2
    expect(at(2, 0)).toEqual(['lte', 0.3, 2, 0])
    expect(at(2, 3)).toEqual(['lte', 0.3, 40, 1000])
    // node 2 is in both groups, node 4 in fibre: lte is listed first
    expect(at(2, 4)).toEqual(['lte', 0.3, 40, 1000])
    // fibre's latency over withinFeeder (inside f2) and acrossFeeders (to f1)
    expect(at(4, 5)).toEqual(['fibre', 0.01, 1, 0])
    expect(at(1, 4)).toEqual(['fibre', 0.2, 1, 1000])
    // either end decides; both directions of a link are one class
    for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) expect(c.of(a, b)).toBe(c.of(b, a))
    // a node in no group of a district without feeders: every link inside one feeder
    const flat = new LinkClasses(district)
    expect(flat.of(0, 5).index).toBe(0)
    expect(flat.of(0, 5).condition.latency.ms).toBe(2)
  })

  it('a class without fields, or without its own, is the district', () => {
    const c = new LinkClasses(net({ loss: 0.05, latency: fixed(30), withinFeeder: {}, groups: [] }), nodes)
    expect(c.of(0, 1).condition).toEqual({ loss: 0.05, latency: fixed(30), bandwidthKbps: 0 })
    expect(c.of(0, 3).condition).toEqual({ loss: 0.05, latency: fixed(30), bandwidthKbps: 0 })
  })

  it("the model loses and delays by each link's class, counts each message in its class, and draws as one condition everywhere", () => {
    const messages = Array.from({ length: 20_000 }, (_, i) => message(i))
    const run = (n: NetworkScenario, seed: number, on = nodes): { model: LinkModel; lost: boolean[] } => {
      const model = new LinkModel(n, seed, [], on)
      // every ordered pair of the six nodes in turn
      const lost = messages.map((bytes, i) => model.send('gossip', i % 6, Math.floor(i / 6) % 6, bytes).lost)
      return { model, lost }
    }
    const lossy = net({ acrossFeeders: { loss: 0.2 } })
    const a = run(lossy, 42)
    const [within, across] = a.model.byClass
    expect(within.gossipMessages).toBeGreaterThan(0)
    expect(within.gossipLost).toBe(0)
    expect(across.gossipLost / across.gossipMessages).toBeGreaterThan(0.18)
    expect(across.gossipLost / across.gossipMessages).toBeLessThan(0.22)
    expect(within.gossipMessages + across.gossipMessages).toBe(a.model.counts.gossipMessages)
    expect(across.gossipLost).toBe(a.model.counts.gossipLost)
    // seeded: the same seed loses the same messages, another seed others
    expect(run(lossy, 42).lost).toEqual(a.lost)
    expect(run(lossy, 43).lost).not.toEqual(a.lost)
    // the class sets the threshold, not the draw: on the links across, the same messages as 20 % on every link
    const everywhere = run(net({ loss: 0.2 }), 42).lost
    const isAcross = (i: number): boolean => nodes.feeders[i % 6] !== nodes.feeders[Math.floor(i / 6) % 6]
    expect(a.lost.filter((_, i) => isAcross(i))).toEqual(everywhere.filter((_, i) => isAcross(i)))
    expect(a.lost.filter((_, i) => !isAcross(i)).some(Boolean)).toBe(false)
    // delay: the class's latency plus its bandwidth's transmission time (1000 bytes at 1000 kbit/s: 8 ms)
    const m = new LinkModel(district, 1, [], nodes)
    const bytes = new Uint8Array(1000)
    expect(
      [m.send('frame', 0, 1, bytes), m.send('frame', 0, 3, bytes), m.send('frame', 5, 4, bytes)].map(x => [x.delayMs, x.link])
    ).toEqual([
      [2, 0],
      [48, 1],
      [1, 3]
    ])
    // a stream's delays count in its link's class
    m.addStreamDelay('0>1:a', 2, 0)
    m.addStreamDelay('0>3:b', 48, 1)
    m.addStreamDelay('0>3:b', 48, 1)
    expect([m.streamDelays(0), m.streamDelays(1), m.streamDelays(2), m.streamDelays()]).toEqual([[2], [96], [], [2, 96]])
    expect(m.streamDelayMs('0>3:b')).toBe(96)
    // the same stream id on a new connection: its first frame starts a new count, and the old one stays in the figures
    m.addStreamDelay('0>3:b', 48, 1, true)
    expect(m.streamDelayMs('0>3:b')).toBe(48)
    expect(m.streamDelays(1)).toEqual([48, 96])
  })
})

describe('per-link conditions in the network section (links/link-conditions.ts)', () => {
  it('are plain optional fields, absent by default, and survive validation twice (a sweep sets them by dotted path)', () => {
    const s = validateScenario({
      slots: { count: 8 },
      network: {
        latency: { distribution: 'normal', ms: 20, spreadMs: 5 },
        withinFeeder: { latency: { ms: 2 } },
        acrossFeeders: { loss: 0.05, bandwidthKbps: 2000 },
        groups: [{ name: 'lte', nodes: ['car-1'], loss: 0.1, latency: { distribution: 'uniform', ms: 80, spreadMs: 40 } }]
      }
    })
    expect(s.network.withinFeeder).toEqual({ latency: fixed(2) })
    expect(s.network.acrossFeeders).toEqual({ loss: 0.05, bandwidthKbps: 2000 })
    expect(s.network.groups).toEqual([
      { name: 'lte', nodes: ['car-1'], feeders: [], loss: 0.1, latency: { distribution: 'uniform', ms: 80, spreadMs: 40 } }
    ])
    expect(validateScenario(s)).toEqual(s)
    const plain = validateScenario({}).network
    expect(Object.keys(plain)).not.toContain('acrossFeeders')
    expect(Object.keys(plain)).not.toContain('groups')
    expect(validateNetwork({ acrossFeeders: null }, 8).acrossFeeders).toBeUndefined()
  })

  it('a condition on one class of links is a condition: the district runs in one process', () => {
    expect(hasConditions(validateNetwork({ acrossFeeders: { loss: 0.05 } }, 8))).toBe(true)
    expect(hasConditions(validateNetwork({ groups: [{ name: 'g', feeders: ['f01'], latency: { ms: 5 } }] }, 8))).toBe(true)
    expect(hasConditions(validateNetwork({ withinFeeder: { loss: 0 }, acrossFeeders: {} }, 8))).toBe(false)
    const s = validateScenario({
      buildings: { generate: { count: 100 } },
      mobility: false,
      grid: { feeders: { generate: { buildingsPerFeeder: 25 } } },
      network: { acrossFeeders: { loss: 0.05 } }
    })
    expect(defaultWorkers(s, 4)).toBe(1)
  })

  it('refuses a bad field with a typed error naming it, and says what was expected', () => {
    const error = (doc: unknown): [string, string] => {
      try {
        validateNetwork(doc, 8)
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError)
        return [(err as ConfigError).field, (err as ConfigError).message]
      }
      return ['', '']
    }
    const field = (doc: unknown): string => error(doc)[0]
    expect(error({ acrossFeeders: { loss: 0.9 } })).toEqual([
      'network.acrossFeeders.loss',
      'network.acrossFeeders.loss: expected a share of messages between 0 and 0.5, got 0.9'
    ])
    expect(field({ withinFeeder: { latency: { distribution: 'pareto' } } })).toBe('network.withinFeeder.latency.distribution')
    expect(field({ withinFeeder: { bandwidthKbps: -1 } })).toBe('network.withinFeeder.bandwidthKbps')
    expect(field({ acrossFeeders: { lost: 0.1 } })).toBe('network.acrossFeeders.lost')
    expect(field({ acrossFeeders: 0.1 })).toBe('network.acrossFeeders')
    expect(field({ groups: { name: 'g' } })).toBe('network.groups')
    expect(field({ groups: [{ nodes: ['a'], loss: 0.1 }] })).toBe('network.groups[0].name')
    expect(field({ groups: [{ name: 'g', nodes: ['a'], loss: 0.7 }] })).toBe('network.groups[0].loss')
    expect(field({ groups: [{ name: 'g', nodes: ['a'], latency: { ms: -5 } }] })).toBe('network.groups[0].latency.ms')
    expect(field({ groups: [{ name: 'g', nodes: ['a', ''], loss: 0.1 }] })).toBe('network.groups[0].nodes[1]')
    expect(field({ groups: [{ name: 'g', node: ['a'], loss: 0.1 }] })).toBe('network.groups[0].node')
    expect(error({ groups: [{ name: 'g', loss: 0.1 }] })).toEqual([
      'network.groups[0]',
      'network.groups[0]: expected the nodes of the group (nodes, feeders or both), got none'
    ])
    expect(error({ groups: [{ name: 'g', feeders: ['f01'] }] })).toEqual([
      'network.groups[0]',
      'network.groups[0]: expected a condition for its links (loss, latency, bandwidthKbps or several), got none'
    ])
    expect(
      error({
        groups: [
          { name: 'g', feeders: ['f01'], loss: 0.1 },
          { name: 'h', feeders: ['f02'], loss: 0.1 },
          { name: 'g', feeders: ['f03'], loss: 0.2 }
        ]
      })
    ).toEqual(['network.groups[2].name', 'network.groups[2].name: expected a name no other group has, got "g" (groups[0] has it)'])
    // the nodes and feeders a group names, against the district
    const names = (n: unknown): string => {
      try {
        checkNetworkNames(validateNetwork(n, 8), ['a', 'b'], ['f01'])
      } catch (err) {
        return (err as ConfigError).message
      }
      return ''
    }
    expect(names({ groups: [{ name: 'g', nodes: ['a', 'c'], loss: 0.1 }] })).toBe('network.groups[0].nodes[1]: no node is named "c"')
    expect(names({ groups: [{ name: 'g', feeders: ['f02'], loss: 0.1 }] })).toBe(
      'network.groups[0].feeders[0]: no feeder is named "f02" (feeders: f01)'
    )
    expect(names({ groups: [{ name: 'g', nodes: ['b'], feeders: ['f01'], loss: 0.1 }] })).toBe('')
  })

  it("a scenario file's bad per-link field says the file, line and column, the field and what was expected", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-links-'))
    try {
      const text =
        'slots: { count: 8 }\nmobility: false\nnetwork:\n  acrossFeeders:\n    loss: 0.05\n  groups:\n' +
        '    - name: lte\n      nodes: [household-01]\n      latency: { distribution: normal, ms: 80, spreadMs: 30 }\n'
      const errorOf = async (name: string, t: string): Promise<string> => {
        await writeFile(join(dir, name), t)
        try {
          await loadScenario(join(dir, name))
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError)
          return (err as Error).message
        }
        return 'accepted'
      }
      expect(await errorOf('good.yaml', text)).toBe('accepted')
      expect(await errorOf('loss.yaml', text.replace('0.05', '0.7'))).toBe(
        `${join(dir, 'loss.yaml')}:5:5: network.acrossFeeders.loss: expected a share of messages between 0 and 0.5, got 0.7`
      )
      expect(await errorOf('dist.yaml', text.replace('normal', 'pareto'))).toBe(
        `${join(dir, 'dist.yaml')}:9:18: network.groups[0].latency.distribution: expected one of fixed, uniform, normal, got "pareto"`
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
