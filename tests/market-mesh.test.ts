import { describe, expect, it } from 'vitest'
import { timeDependentConcession } from '@kvartal/market'
import { startDistrict, slots, epochMs } from './helpers/nodes.ts'

const committedSold = async (n: {
  trades(): Promise<Array<{ role: string; status: string; id: string; decoded: { terms: { slot: number; energyWh: number } } }>>
}) => (await n.trades()).filter(t => t.role === 'seller' && t.status === 'committed')
const committedBought = async (n: {
  trades(): Promise<Array<{ role: string; status: string; id: string; decoded: { terms: { slot: number; energyWh: number } } }>>
}) => (await n.trades()).filter(t => t.role === 'buyer' && t.status === 'committed')

/** what a buyer's negotiations in a slot ended in (minutes from slot 0), and whose offers it heard when */
async function diagnose(
  d: Awaited<ReturnType<typeof startDistrict>>,
  n: Awaited<ReturnType<typeof startDistrict>>['nodes'][number],
  slot: number
): Promise<string> {
  const min = (at: number): number => (at - epochMs) / 60_000
  const mine = d.events.filter(e => e.node === n.id)
  const outcomes = mine.filter(e => e.slot === slot && e.type !== 'announcement-received').map(e => [e.type, e.code, min(e.at)])
  const heard = [
    ...new Set(mine.filter(e => e.type === 'announcement-received' && e.detail === 'offer').map(e => `${e.peer?.slice(0, 6)}@${min(e.at)}`))
  ]
  const pending = (await n.trades()).filter(t => t.status === 'pending').length
  return `${JSON.stringify(outcomes)}; pending ${pending}; offers heard from ${heard.join(',')}`
}

describe('energy market over real libp2p hosts', () => {
  it('twelve nodes gossip offers and bids and trade every Wh the buyers need, each trade held by both sides', async () => {
    // 4 sellers with 600 Wh each in slots 0..3, 8 buyers needing 250 Wh each: supply 2400 ≥ demand 2000
    const profiles = [
      ...Array.from({ length: 4 }, (_, i) => ({
        buyLimit: 900_000_000,
        sellLimit: 350_000_000 + i * 50_000_000,
        position: (s: number) => (s >= 0 && s < 4 ? 600 : 0)
      })),
      ...Array.from({ length: 8 }, (_, i) => ({
        buyLimit: 700_000_000 + i * 30_000_000,
        sellLimit: 400_000_000,
        position: (s: number) => (s >= 0 && s < 4 ? -250 : 0),
        strategy: timeDependentConcession()
      }))
    ]
    const d = await startDistrict(profiles)
    try {
      await d.runUntil(epochMs + 4 * slots.slotMs)
      const sold = (await Promise.all(d.nodes.slice(0, 4).map(committedSold))).flat()
      const bought = (await Promise.all(d.nodes.slice(4).map(committedBought))).flat()
      expect(new Set(sold.map(t => t.id))).toEqual(new Set(bought.map(t => t.id)))
      // every buyer got its 250 Wh in every slot; if not, say who, where, and what its negotiations ended in
      const short: string[] = []
      for (const [i, n] of d.nodes.slice(4).entries()) {
        const mine = await committedBought(n)
        for (let s = 0; s < 4; s++) {
          const got = mine.filter(t => t.decoded.terms.slot === s).reduce((a, t) => a + t.decoded.terms.energyWh, 0)
          if (got !== 250) short.push(`buyer ${i} slot ${s}: ${got} Wh; ${await diagnose(d, n, s)}`)
        }
      }
      expect(short).toEqual([])
      expect(bought.reduce((a, t) => a + t.decoded.terms.energyWh, 0)).toBe(8 * 4 * 250)
      for (let s = 0; s < 4; s++)
        for (const n of d.nodes.slice(0, 4)) {
          const perSlot = (await committedSold(n)).filter(t => t.decoded.terms.slot === s).reduce((a, t) => a + t.decoded.terms.energyWh, 0)
          expect(perSlot).toBeLessThanOrEqual(600)
        }
      // the cheapest sellers sold first: the dearest seller (index 3) sold least of all four, and less than it had
      const byseller = await Promise.all(
        d.nodes.slice(0, 4).map(async n => (await committedSold(n)).reduce((a, t) => a + t.decoded.terms.energyWh, 0))
      )
      for (const other of byseller.slice(0, 3)) expect(byseller[3], `sold per seller ${byseller.join(', ')}`).toBeLessThanOrEqual(other)
      expect(byseller[3], `sold per seller ${byseller.join(', ')}`).toBeLessThan(4 * 600)
      expect(d.events.filter(e => e.type === 'announcement-received').length).toBeGreaterThan(0)
      expect(d.events.some(e => e.type === 'peer-joined')).toBe(true)
    } finally {
      await d.close()
    }
  })

  it('twenty buyers racing for one seller never oversell it', async () => {
    const profiles = [
      { buyLimit: 900_000_000, sellLimit: 350_000_000, position: (s: number) => (s === 0 ? 1_000 : 0) },
      ...Array.from({ length: 20 }, () => ({
        buyLimit: 900_000_000,
        sellLimit: 400_000_000,
        position: (s: number) => (s === 0 ? -200 : 0)
      }))
    ]
    const d = await startDistrict(profiles, { degree: 4 })
    try {
      await d.runUntil(epochMs + slots.slotMs)
      const sold = await committedSold(d.nodes[0])
      const bought = (await Promise.all(d.nodes.slice(1).map(committedBought))).flat()
      expect(sold.reduce((a, t) => a + t.decoded.terms.energyWh, 0)).toBe(1_000)
      expect(bought.reduce((a, t) => a + t.decoded.terms.energyWh, 0)).toBe(1_000)
      expect(new Set(sold.map(t => t.id))).toEqual(new Set(bought.map(t => t.id)))
      // the losers were told there was nothing left — refused for capacity, or by the seller's announcement
      // that it had sold out (made at once when a sale leaves less than half) — and each bought at most what it needed
      const soldOut = d.events.some(e => e.type === 'offer-published' && e.node === d.nodes[0].id && e.energyWh === 0)
      expect(soldOut || d.events.some(e => e.type === 'rejected' && (e.code === 'no-capacity' || e.code === 'capacity-held'))).toBe(true)
      for (const n of d.nodes.slice(1))
        expect((await committedBought(n)).reduce((a, t) => a + t.decoded.terms.energyWh, 0)).toBeLessThanOrEqual(200)
      expect(d.nodes[0].selling.committed(0)).toBe(1_000)
      expect(d.nodes[0].selling.held(0, d.clock.now())).toBe(0)
    } finally {
      await d.close()
    }
  })
})
