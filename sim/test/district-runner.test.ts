import { describe, expect, it } from 'vitest'
import { SimulatedClock, defaultSlotClockConfig, type NodeEvent } from '@kvartal/protocol'
import { fixedMarkup, timeDependentConcession } from '@kvartal/market'
import { runDistrict } from '../src/district-runner.ts'
import { defaultDistrictRunConfig } from '../src/district-run-config.ts'
import { simNode } from '../src/sim-node.ts'

const slots = { ...defaultSlotClockConfig, epochMs: Date.UTC(2026, 5, 17, 0, 0) }
const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n)

describe('a small district over real libp2p', () => {
  it(
    'gives its nodes no real-time liveness pings and libp2p limits as patient ' +
      'as a frame (mesh host.ts: outcomes must not depend on the machine)',
    () => {
      const c = {
        ...defaultDistrictRunConfig,
        district: 'test',
        slots,
        slotCount: 1,
        tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
        seed: 1,
        nodes: [
          {
            name: 'n',
            keySeed: seed(9),
            strategy: fixedMarkup(),
            profile: { buyLimit: 900_000_000, sellLimit: 400_000_000, position: () => 0 }
          }
        ]
      }
      const node = simNode(c, 0, { clock: new SimulatedClock(slots.epochMs), dataRoot: '/nonexistent', bootstrap: [] })
      expect(node.options.connectionMonitor).toBe(false)
      expect(node.options.libp2pTimeoutsMs).toBe(c.frameTimeoutMs)
      // and gossipsub beats at the nodes' ticks, not by its own timer
      expect(node.options.manualHeartbeat).toBe(true)
      expect(c.frameTimeoutMs).toBeGreaterThanOrEqual(60_000)
    }
  )

  it('one seller and two buyers trade over the memory transport', async () => {
    const r = await runDistrict({
      ...defaultDistrictRunConfig,
      district: 'test',
      slots,
      slotCount: 4,
      tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
      seed: 1,
      onEvent: e => {
        if (process.env.DBG) console.log(e.node.slice(0, 6), e.type, e.slot, e.code ?? '')
      },
      nodes: [
        {
          name: 's',
          keySeed: seed(1),
          strategy: fixedMarkup(),
          profile: { buyLimit: 900_000_000, sellLimit: 400_000_000, position: () => 1000 }
        },
        {
          name: 'b1',
          keySeed: seed(2),
          strategy: timeDependentConcession(),
          profile: { buyLimit: 900_000_000, sellLimit: 400_000_000, position: () => -300 }
        },
        {
          name: 'b2',
          keySeed: seed(3),
          strategy: timeDependentConcession(),
          profile: { buyLimit: 800_000_000, sellLimit: 400_000_000, position: () => -300 }
        }
      ]
    })
    const sold = r.nodes[0].trades.filter(t => t.role === 'seller' && t.status === 'committed')
    const bought = r.nodes.slice(1).flatMap(n => n.trades.filter(t => t.role === 'buyer' && t.status === 'committed'))
    expect(sold.map(t => t.id).sort()).toEqual(bought.map(t => t.id).sort())
    expect(sold.reduce((a, t) => a + t.decoded.terms.energyWh, 0)).toBe(4 * 600)
  })

  it(
    "moves the clock along the nodes' own tick grid, so every " + "proposal is sent at a node's tick and none meets a closed gate",
    async () => {
      const events: NodeEvent[] = []
      await runDistrict({
        ...defaultDistrictRunConfig,
        district: 'test',
        slots,
        slotCount: 4,
        tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
        seed: 4,
        onEvent: e => {
          events.push(e)
        },
        nodes: [
          {
            name: 's',
            keySeed: seed(21),
            strategy: timeDependentConcession(),
            profile: { buyLimit: 900_000_000, sellLimit: 600_000_000, position: () => 1000 }
          },
          // a buyer whose bid reaches the seller's ask only at the last call before each gate
          {
            name: 'b',
            keySeed: seed(22),
            strategy: timeDependentConcession(),
            profile: { buyLimit: 640_000_000, sellLimit: 400_000_000, position: () => -300 }
          }
        ]
      })
      const tickMs = slots.slotMs / defaultDistrictRunConfig.ticksPerSlot
      const proposals = events.filter(e => e.type === 'proposal-sent')
      expect(proposals.length).toBeGreaterThanOrEqual(4)
      for (const p of proposals) expect(Math.abs((p.at - slots.epochMs) % tickMs)).toBe(0)
      expect(events.filter(e => e.code === 'gate-closed')).toEqual([])
      expect(events.filter(e => e.type === 'trade-committed' && e.detail === 'buyer').reduce((a, e) => a + (e.energyWh ?? 0), 0)).toBe(
        4 * 300
      )
    }
  )

  it('the same district trades over loopback TCP', async () => {
    const listening: string[] = []
    const r = await runDistrict({
      onEvent: e => {
        if (e.type === 'started') listening.push(String(e.detail))
      },
      ...defaultDistrictRunConfig,
      transport: 'tcp',
      district: 'tcp-test',
      slots,
      slotCount: 2,
      tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
      seed: 2,
      nodes: [
        {
          name: 's',
          keySeed: seed(11),
          strategy: fixedMarkup(),
          profile: { buyLimit: 900_000_000, sellLimit: 400_000_000, position: () => 1000 }
        },
        {
          name: 'b1',
          keySeed: seed(12),
          strategy: timeDependentConcession(),
          profile: { buyLimit: 900_000_000, sellLimit: 400_000_000, position: () => -300 }
        },
        {
          name: 'b2',
          keySeed: seed(13),
          strategy: timeDependentConcession(),
          profile: { buyLimit: 800_000_000, sellLimit: 400_000_000, position: () => -300 }
        }
      ]
    })
    expect(r.nodes.every(n => n.node.options.transport === 'tcp')).toBe(true)
    expect(listening).toHaveLength(3)
    expect(listening.every(a => a.startsWith('/ip4/127.0.0.1/tcp/'))).toBe(true)
    const sold = r.nodes[0].trades.filter(t => t.role === 'seller' && t.status === 'committed')
    expect(sold.reduce((a, t) => a + t.decoded.terms.energyWh, 0)).toBe(2 * 600)
  })
})
