/**
 * Figure 3: `node bench/negotiation.ts [seconds]`. Two nodes on the memory transport, a seller with a
 * large constant surplus and a buyer with a large constant deficit, both with the fixed-markup strategy.
 * Once the buyer's book holds the seller's offer, complete buyer negotiations are driven directly through
 * the buyer desk (propose at the seller's ask → Accept → confirm → Committed), one at a time and then 8
 * in flight, with the simulated clock standing still.
 */
import { randomBytes } from 'node:crypto'
import { firstOpenSlot, gateClosure } from '@kvartal/protocol'
import { fixedMarkup } from '@kvartal/market'
import type { NegotiationInput } from '@kvartal/node'
import { createDistrict, info, percentile, round, runChild, sleep, slots, withTimeout } from './common.ts'

const seconds = Number(process.argv[2] ?? 5)
const SELLER_WH = 10_000_000
const ENERGY_WH = 10

runChild('negotiation', 120_000, async () => {
  // one hour before slot 10's gate: slots 7..14 are announced, and the buyer's own ticks would approach
  // slots whose trading window is open; its bid (0.48) stays below the seller's ask (0.55), so the
  // buyer never negotiates on its own and the seller's capacity is the benchmark's alone
  const startMs = gateClosure(slots, 10) - 4 * slots.slotMs + 1
  const strategy = fixedMarkup({ markup: 0.1 })
  const d = await createDistrict(
    [
      { strategy, profile: { buyLimit: 500_000_000, sellLimit: 500_000_000, position: () => SELLER_WH } },
      { strategy, profile: { buyLimit: 500_000_000, sellLimit: 500_000_000, position: () => -SELLER_WH } }
    ],
    { startMs, degree: 1 }
  )
  const [seller, buyer] = d.nodes
  try {
    // entering `trading` runs a tick at once: both announce as soon as their gossip mesh has formed
    await withTimeout(
      Promise.all(
        d.nodes.map(async node => {
          await node.start()
        })
      ),
      30_000,
      'starting nodes'
    )
    let slot = firstOpenSlot(slots, d.clock.now())
    const offer = async (): Promise<number | undefined> => {
      const deadline = performance.now() + 3_000
      while (performance.now() < deadline) {
        const o = buyer.book.forSlot('offer', slot, d.clock.now())[0]
        if (o != null) return o.price
        await sleep(10)
      }
      return undefined
    }
    let price = await offer()
    if (price == null) {
      // the first announcement went out before the mesh formed: move on until the seller republishes
      info('negotiation: no offer after start, advancing the clock to the next republish')
      const tickMs = Math.floor(slots.slotMs / seller.options.ticksPerSlot)
      const until = d.clock.now() + seller.options.republishEverySlots * slots.slotMs
      for (let t = d.clock.now() + tickMs; t <= until; t += tickMs) {
        d.clock.advanceTo(t)
        await Promise.all(
          d.nodes.map(async node => {
            await node.idle()
          })
        )
      }
      slot = firstOpenSlot(slots, d.clock.now())
      price = await offer()
    }
    if (price == null) throw new Error("the buyer never saw the seller's offer")
    await Promise.all(
      d.nodes.map(async node => {
        await node.idle()
      })
    )
    const autoProposals = buyer.stats.proposalsSent
    // the benchmark's negotiations count against the buyer's need like its own would
    buyer.need.setLimit(slot, Number.MAX_SAFE_INTEGER)
    info(`negotiation: slot ${slot}, ask ${price} nanos/kWh`)

    const failures: Record<string, number> = {}
    const fail = (code: string): void => {
      failures[code] = (failures[code] ?? 0) + 1
    }
    const one = async (): Promise<number | undefined> => {
      const now = d.clock.now()
      const negotiation = randomBytes(16).toString('hex')
      const input: NegotiationInput = { negotiation, seller: seller.id, slot, energyWh: ENERGY_WH, price }
      // what KvartalNode's approach does before it starts a negotiation
      const hold = buyer.need.hold(
        { negotiation, slot, energyWh: ENERGY_WH, holdUntil: gateClosure(slots, slot), price, counterparty: seller.id },
        now
      )
      if (hold == null) {
        fail('no-need')
        return undefined
      }
      const t0 = performance.now()
      try {
        const reply = await buyer.buyer.exchange(input, 0, price)
        if (reply.kind !== 'accept') {
          fail(reply.kind === 'reject' ? `reject:${reply.reject.code}` : 'counter')
          buyer.need.release(slot, negotiation)
          buyer.buyer.close(negotiation)
          return undefined
        }
        const result = await buyer.buyer.confirm(reply.accept)
        if (result !== 'committed') {
          fail(result)
          return undefined
        }
        return performance.now() - t0
      } catch (err) {
        fail(`error:${(err as Error).name}`)
        buyer.need.release(slot, negotiation)
        buyer.buyer.close(negotiation)
        return undefined
      }
    }
    const run = async (concurrency: number, ms: number): Promise<{ perSecond: number; latencies: number[]; count: number }> => {
      const latencies: number[] = []
      const t0 = performance.now()
      const end = t0 + ms
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) {
            const l = await one()
            if (l != null) latencies.push(l)
          }
        })
      )
      const elapsed = performance.now() - t0
      return { perSecond: round(latencies.length / (elapsed / 1000), 1), latencies, count: latencies.length }
    }

    await run(1, 1_000) // warm-up: JIT, stream muxer, journal
    const sequential = await run(1, seconds * 1000)
    info(`negotiation: sequential ${sequential.perSecond}/s`)
    const concurrent = await run(8, seconds * 1000)
    info(`negotiation: 8 in flight ${concurrent.perSecond}/s`)
    const seq = [...sequential.latencies].sort((a, b) => a - b)
    const conc = [...concurrent.latencies].sort((a, b) => a - b)
    const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)
    const committed = (await seller.trades()).filter(t => t.role === 'seller' && t.status === 'committed').length
    return {
      sequentialPerSecond: sequential.perSecond,
      concurrent8PerSecond: concurrent.perSecond,
      // latency of one complete negotiation (proposal → Committed), sequential run
      meanMs: round(mean(seq)),
      p99Ms: round(percentile(seq, 0.99)),
      concurrent8MeanMs: round(mean(conc)),
      concurrent8P99Ms: round(percentile(conc, 0.99)),
      measuredNegotiations: sequential.count + concurrent.count,
      // includes the 1 s warm-up
      sellerCommittedTrades: committed,
      failures,
      autoProposals,
      streamFramesPerNegotiation: round(buyer.stats.streams.frames / Math.max(1, committed), 1)
    }
  } finally {
    await d.close()
  }
})
