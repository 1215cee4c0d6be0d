/**
 * A buyer's bids reach its feeder's relay even when gossip did not connect them: only relays read a feeder's
 * bid topic, and gossipsub sends a message on a topic its publisher does not read only to connected peers that
 * read it. Real nodes (libp2p memory transport, gossipsub, level journals) on one simulated clock; the buyer is
 * connected to a neighbour of its feeder only, and hears the relay's digests through it.
 */
import { describe, expect, it } from 'vitest'
import { identityFromSeed, memoryListenAddress } from '@kvartal/mesh'
import type { GridOptions } from '@kvartal/node'
import { epochMs, seedOf, startDistrict } from './helpers/nodes.ts'

const fees = { local: 50_000_000, district: 150_000_000 }
const idle = { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 0 }
// less than the buyer wants: the buyer stays short, and bids for the rest
const seller = { ...idle, position: (s: number) => (s >= 0 && s < 4 ? 100 : 0) }
const buyer = { ...idle, position: (s: number) => (s >= 0 && s < 4 ? -200 : 0) }

describe("a buyer dials its feeder's relay", () => {
  it('when it hears the relay only through a neighbour: its bids then reach the relay, which lists them for the hub', async () => {
    // 0: f1's relay; 1: a node of f1 (trades nothing); 2: a buyer of f1 that bids from the start, connected to node 1
    // only; 3: f2's relay, which sells
    const ids = await Promise.all([1, 2, 3, 4].map(async i => await identityFromSeed(seedOf(i))))
    const at = (i: number): string => `${memoryListenAddress(ids[i])}/p2p/${ids[i].peerId}`
    const grids: GridOptions[] = [
      { feeder: 'f1', fees, relay: true },
      { feeder: 'f1', fees },
      { feeder: 'f1', fees },
      { feeder: 'f2', fees, relay: true }
    ]
    const bootstrap = [[], [at(0)], [at(1)], [at(0)]]
    const d = await startDistrict([idle, idle, buyer, seller], {
      degree: 0,
      extra: i => ({ grid: grids[i], bootstrap: bootstrap[i], announceBids: i === 2 })
    })
    try {
      const [R, , B] = d.nodes
      expect(B.host.getConnections(R.identity.peerId)).toHaveLength(0)
      // slot 0's second tick: the relay's first feeder digest (the other feeder's offers reached it at tick 0)
      const tick = (15 * 60_000) / 4
      await d.runUntil(epochMs + tick)
      expect(B.host.getConnections(R.identity.peerId).length).toBeGreaterThan(0)
      // the bids it said to nobody before are said again at the next tick, and the relay holds them
      expect(R.book.liveBids(d.clock.now()).filter(e => e.trader === B.id)).toHaveLength(0)
      await d.runUntil(epochMs + 2 * tick)
      expect(R.book.liveBids(d.clock.now()).filter(e => e.trader === B.id).length).toBeGreaterThan(0)
      await d.runUntil(epochMs + 4 * 15 * 60_000)
      // the relay heard the buyer's bids, and carried them to the district for the hub
      const withBids = d.events.filter(
        e => e.type === 'digest-published' && e.node === R.id && /^district: .*\d+ bids$/.test(e.detail ?? '')
      )

      expect(withBids.length).toBeGreaterThan(0)
      // and the hub's allocation names the buyer
      const bought = (await B.trades()).filter(t => t.role === 'buyer' && t.status === 'committed')
      expect(bought.length).toBeGreaterThan(0)
      expect(bought.every(t => t.decoded.terms.sellerFeeder === 'f2')).toBe(true)
    } finally {
      await d.close()
    }
  })
})
