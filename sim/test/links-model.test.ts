import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import {
  LinkModel,
  checkNetworkNames,
  defaultNetworkScenario,
  defaultWorkers,
  loadScenario,
  validateNetwork,
  validateScenario,
  type NetworkScenario
} from '../src/index.ts'

const net = (n: Partial<NetworkScenario>): NetworkScenario => ({ ...defaultNetworkScenario, ...n })
const message = (i: number): Uint8Array => new TextEncoder().encode(`announcement ${i} of some seller`)
const messages = Array.from({ length: 20_000 }, (_, i) => message(i))

describe('the link model (links/link-model.ts): every decision a hash of the seed, the link and the bytes', () => {
  it('loses the configured share of messages, the same ones for the same seed, other ones for another seed', () => {
    const lost = (seed: number): boolean[] => {
      const m = new LinkModel(net({ loss: 0.05 }), seed, [])
      return messages.map((bytes, i) => m.send('gossip', i % 7, (i + 1) % 7, bytes).lost)
    }
    const a = lost(42)
    const share = a.filter(Boolean).length / a.length
    expect(share).toBeGreaterThan(0.045)
    expect(share).toBeLessThan(0.055)
    expect(lost(42)).toEqual(a)
    const b = lost(43)
    expect(b).not.toEqual(a)
    expect(Math.abs(b.filter(Boolean).length / b.length - 0.05)).toBeLessThan(0.005)
    // the scenario's network.seed, when given, replaces the run's
    const own = new LinkModel(net({ loss: 0.05, seed: 42 }), 7, [])
    expect(messages.map((bytes, i) => own.send('gossip', i % 7, (i + 1) % 7, bytes).lost)).toEqual(a)
  })

  it('draws afresh when the same bytes cross the same link again (a retried confirm is not lost forever), and keeps the counts', () => {
    const m = new LinkModel(net({ loss: 0.5 }), 1, [])
    const fates = Array.from({ length: 1000 }, () => m.send('frame', 0, 1, message(0)).lost)
    const lostShare = fates.filter(Boolean).length / fates.length
    expect(lostShare).toBeGreaterThan(0.45)
    expect(lostShare).toBeLessThan(0.55)
    expect(m.counts.frames).toBe(1000)
    expect(m.counts.framesLost).toBe(fates.filter(Boolean).length)
    expect(m.counts.gossipMessages).toBe(0)
    // each direction of a link decides for itself
    const back = Array.from({ length: 1000 }, () => m.send('frame', 1, 0, message(0)).lost)
    expect(back).not.toEqual(fates)
  })

  it('loses nothing without loss', () => {
    const m = new LinkModel(net({}), 1, [])
    expect(Array.from({ length: 1000 }, (_, i) => m.send('gossip', 0, 1, message(i)).lost).some(Boolean)).toBe(false)
  })

  it('delays each message by a draw from the latency distribution plus its transmission time at the bandwidth', () => {
    const bytes = new Uint8Array(1000)
    expect(new LinkModel(net({ latency: { distribution: 'fixed', ms: 30, spreadMs: 10 } }), 1, []).send('frame', 0, 1, bytes).delayMs).toBe(
      30
    )
    // 1000 bytes at 800 kbit/s: 10 ms
    expect(new LinkModel(net({ bandwidthKbps: 800 }), 1, []).send('frame', 0, 1, bytes).delayMs).toBe(10)
    const uniform = new LinkModel(net({ latency: { distribution: 'uniform', ms: 50, spreadMs: 20 } }), 1, [])
    const u = messages.slice(0, 5000).map(bytes => uniform.send('frame', 0, 1, bytes).delayMs)
    expect(Math.min(...u)).toBeGreaterThanOrEqual(30)
    expect(Math.max(...u)).toBeLessThanOrEqual(70)
    expect(Math.abs(u.reduce((a, x) => a + x, 0) / u.length - 50)).toBeLessThan(1)
    const normal = new LinkModel(net({ latency: { distribution: 'normal', ms: 50, spreadMs: 10 } }), 1, [])
    const n = messages.slice(0, 5000).map(bytes => normal.send('frame', 0, 1, bytes).delayMs)
    const mean = n.reduce((a, x) => a + x, 0) / n.length
    const sd = Math.sqrt(n.reduce((a, x) => a + (x - mean) ** 2, 0) / n.length)
    expect(Math.abs(mean - 50)).toBeLessThan(1)
    expect(Math.abs(sd - 10)).toBeLessThan(1)
    expect(Math.min(...n)).toBeGreaterThanOrEqual(0)
  })

  it("cuts exactly the links between a partition's group and the rest, only while it is open", () => {
    const m = new LinkModel(net({}), 1, [new Set([0, 1]), new Set([4])])
    const cutPairs = (): string[] => {
      const out: string[] = []
      for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) if (m.cut(a, b)) out.push(`${a}-${b}`)
      return out
    }
    expect(cutPairs()).toEqual([])
    m.open(0)
    expect(cutPairs()).toEqual(['0-2', '0-3', '0-4', '1-2', '1-3', '1-4'])
    expect(m.cut(3, 0)).toBe(true)
    m.open(1)
    expect(cutPairs()).toEqual(['0-2', '0-3', '0-4', '1-2', '1-3', '1-4', '2-4', '3-4'])
    m.heal(0)
    expect(cutPairs()).toEqual(['0-4', '1-4', '2-4', '3-4'])
    m.heal(1)
    expect(cutPairs()).toEqual([])
    expect(m.counts.partitionsOpened).toBe(2)
    expect(m.counts.partitionsHealed).toBe(2)
  })
})

describe('the network section of a scenario (links/network-scenario.ts)', () => {
  it('is plain fields with defaults, and survives validation twice (a sweep sets them by dotted path)', () => {
    const s = validateScenario({
      slots: { count: 8 },
      network: {
        loss: 0.05,
        latency: { distribution: 'normal', ms: 40, spreadMs: 10 },
        bandwidthKbps: 2000,
        partitions: [{ fromSlot: 2, untilSlot: 4, nodes: ['household-01'] }],
        churn: [{ node: 'office-01', leaveSlot: 1, rejoinSlot: 5 }]
      }
    })
    expect(s.network.loss).toBe(0.05)
    expect(s.network.partitions[0]).toEqual({ fromSlot: 2, untilSlot: 4, nodes: ['household-01'], feeders: [] })
    expect(validateScenario(s)).toEqual(s)
    expect(validateScenario({}).network).toEqual(defaultNetworkScenario)
  })

  it('keeps a district with conditions in one process, where they are modelled', () => {
    const s = (network?: unknown): ReturnType<typeof validateScenario> =>
      validateScenario({
        buildings: { generate: { count: 100 } },
        mobility: false,
        grid: { feeders: { generate: { buildingsPerFeeder: 25 } } },
        ...(network != null ? { network } : {})
      })
    expect(defaultWorkers(s(), 4)).toBe(4)
    expect(defaultWorkers(s({ loss: 0.05 }), 4)).toBe(1)
  })

  it('refuses bad conditions with a typed error naming the field', () => {
    const field = (doc: unknown, slots = 8): string => {
      try {
        validateNetwork(doc, slots)
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError)
        return (err as ConfigError).field
      }
      return ''
    }
    expect(field({ loss: 0.9 })).toBe('network.loss')
    expect(field({ loss: 'some' })).toBe('network.loss')
    expect(field({ lost: 0.1 })).toBe('network.lost')
    expect(field({ latency: { distribution: 'pareto' } })).toBe('network.latency.distribution')
    expect(field({ partitions: [{ fromSlot: 3, untilSlot: 3, nodes: ['a'] }] })).toBe('network.partitions[0].untilSlot')
    expect(field({ partitions: [{ fromSlot: 1, untilSlot: 9, nodes: ['a'] }] })).toBe('network.partitions[0].untilSlot')
    expect(field({ partitions: [{ fromSlot: 1, untilSlot: 2 }] })).toBe('network.partitions[0]')
    expect(field({ churn: [{ node: 'a', leaveSlot: 1 }] })).toBe('network.churn[0].rejoinSlot')
    expect(
      field({
        churn: [
          { node: 'a', leaveSlot: 1, rejoinSlot: 4 },
          { node: 'a', leaveSlot: 3, rejoinSlot: 5 }
        ]
      })
    ).toBe('network.churn[1]')
    const names = (n: unknown): string => {
      try {
        checkNetworkNames(validateNetwork(n, 8), ['a', 'b'], ['f01'])
      } catch (err) {
        return (err as ConfigError).field
      }
      return ''
    }
    expect(names({ partitions: [{ fromSlot: 1, untilSlot: 2, nodes: ['a', 'c'] }] })).toBe('network.partitions[0].nodes[1]')
    expect(names({ partitions: [{ fromSlot: 1, untilSlot: 2, feeders: ['f02'] }] })).toBe('network.partitions[0].feeders[0]')
    expect(names({ churn: [{ node: 'z', leaveSlot: 1, rejoinSlot: 2 }] })).toBe('network.churn[0].node')
    expect(names({ partitions: [{ fromSlot: 1, untilSlot: 2, nodes: ['a'], feeders: ['f01'] }] })).toBe('')
    // every bound, by the field it is on
    expect(field({ loss: -0.1 })).toBe('network.loss')
    expect(field({ seed: 1.5 })).toBe('network.seed')
    expect(field({ seed: -1 })).toBe('network.seed')
    expect(field({ bandwidthKbps: -1 })).toBe('network.bandwidthKbps')
    expect(field({ latency: { ms: 600_001 } })).toBe('network.latency.ms')
    expect(field({ latency: { spreadMs: -1 } })).toBe('network.latency.spreadMs')
    expect(field({ latency: { jitter: 1 } })).toBe('network.latency.jitter')
    expect(field({ latency: 50 })).toBe('network.latency')
    expect(field(5)).toBe('network')
    expect(field({ partitions: 'a' })).toBe('network.partitions')
    expect(field({ partitions: [5] })).toBe('network.partitions[0]')
    expect(field({ partitions: [{ fromSlot: 1, untilSlot: 2, nodes: ['a'], group: 'b' }] })).toBe('network.partitions[0].group')
    expect(field({ partitions: [{ untilSlot: 2, nodes: ['a'] }] })).toBe('network.partitions[0].fromSlot')
    expect(field({ partitions: [{ fromSlot: 0.5, untilSlot: 2, nodes: ['a'] }] })).toBe('network.partitions[0].fromSlot')
    expect(field({ partitions: [{ fromSlot: 8, untilSlot: 8, nodes: ['a'] }] })).toBe('network.partitions[0].fromSlot')
    expect(field({ partitions: [{ fromSlot: 1, untilSlot: 2, nodes: ['a', ''] }] })).toBe('network.partitions[0].nodes[1]')
    expect(field({ partitions: [{ fromSlot: 1, untilSlot: 2, feeders: 'f01' }] })).toBe('network.partitions[0].feeders')
    expect(field({ churn: [{ node: '', leaveSlot: 1, rejoinSlot: 2 }] })).toBe('network.churn[0].node')
    expect(field({ churn: [{ node: 'a', leaveSlot: 1, rejoinSlot: 9 }] })).toBe('network.churn[0].rejoinSlot')
    expect(field({ churn: [{ node: 'a', leaveSlot: 1, rejoinSlot: 9 }] }, 9)).toBe('')
    // one node away twice, one absence after the other: fine
    expect(
      field({
        churn: [
          { node: 'a', leaveSlot: 1, rejoinSlot: 3 },
          { node: 'a', leaveSlot: 3, rejoinSlot: 5 }
        ]
      })
    ).toBe('')
    // absent, or `network:` alone: a perfect network
    expect([validateNetwork(undefined, 8), validateNetwork(null, 8)]).toEqual([defaultNetworkScenario, defaultNetworkScenario])
  })

  it('says what was expected and what was there', () => {
    const message = (doc: unknown, slots = 8): string => {
      try {
        validateNetwork(doc, slots)
      } catch (err) {
        return (err as ConfigError).message
      }
      return ''
    }
    expect(message({ loss: 0.9 })).toBe('network.loss: expected a share of messages between 0 and 0.5, got 0.9')
    expect(message({ loss: -0.1 })).toBe('network.loss: expected a share of messages between 0 and 0.5, got -0.1')
    expect(message({ latency: { distribution: 'pareto' } })).toBe(
      'network.latency.distribution: expected one of fixed, uniform, normal, got "pareto"'
    )
    expect(message({ partitions: [{ fromSlot: 3, untilSlot: 3, nodes: ['a'] }] })).toBe(
      'network.partitions[0].untilSlot: expected a slot after fromSlot (3), got 3'
    )
    expect(message({ partitions: [{ fromSlot: 1, untilSlot: 9, nodes: ['a'] }] })).toBe(
      'network.partitions[0].untilSlot: expected a slot of the run between 1 and 8 (slots.count is 8), got 9'
    )
    expect(message({ partitions: [{ fromSlot: 1, untilSlot: 2 }] })).toBe(
      'network.partitions[0]: expected a group to cut off (nodes, feeders or both), got none'
    )
    expect(message({ partitions: [{ fromSlot: 1, untilSlot: 2, nodes: ['a', ''] }] })).toBe(
      'network.partitions[0].nodes[1]: expected a node name, got ""'
    )
    expect(message({ churn: [{ node: 'a', leaveSlot: 1 }] })).toBe(
      'network.churn[0].rejoinSlot: is required: a slot of the run (a whole number) between 1 and 672'
    )
    expect(
      message({
        churn: [
          { node: 'a', leaveSlot: 1, rejoinSlot: 4 },
          { node: 'a', leaveSlot: 3, rejoinSlot: 5 }
        ]
      })
    ).toBe('network.churn[1]: expected "a" to be back first, got a leave while it is away (churn[0]: slots 1–4)')
  })

  it("a scenario file's bad condition says the file, the line and column of the field, the field and what was expected", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-network-'))
    try {
      const text =
        'slots: { count: 8 }\nmobility: false\nnetwork:\n  loss: 0.05\n  latency:\n    distribution: ' +
        'normal\n  partitions:\n    - fromSlot: 2\n      untilSlot: 4\n      nodes: [household-01]\n'
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
      expect(await errorOf('latency.yaml', text.replace('normal', 'pareto'))).toBe(
        `${join(dir, 'latency.yaml')}:6:5: network.latency.distribution: expected one of fixed, uniform, normal, got "pareto"`
      )
      expect(await errorOf('loss.yaml', text.replace('0.05', '-0.05'))).toBe(
        `${join(dir, 'loss.yaml')}:4:3: network.loss: expected a share of messages between 0 and 0.5, got -0.05`
      )
      expect(await errorOf('group.yaml', text.replace('[household-01]', '[household-01, ""]'))).toBe(
        `${join(dir, 'group.yaml')}:10:29: network.partitions[0].nodes[1]: expected a node name, got ""`
      )
      expect(await errorOf('nogroup.yaml', text.replace('      nodes: [household-01]\n', ''))).toBe(
        `${join(dir, 'nogroup.yaml')}:8:7: network.partitions[0]: expected a group to cut off (nodes, feeders or both), got none`
      )
      // the rule between sections: at the field of the network, against slots.count
      expect(await errorOf('window.yaml', text.replace('untilSlot: 4', 'untilSlot: 9'))).toBe(
        `${join(dir, 'window.yaml')}:9:7: network.partitions[0].untilSlot: ` +
          `expected a slot of the run between 1 and 8 (slots.count is 8), got 9`
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
