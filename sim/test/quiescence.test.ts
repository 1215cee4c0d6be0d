import { describe, expect, it } from 'vitest'
import { outstanding, outstandingByTopic, settle, type GossipCounts, type Probe } from '../src/quiescence.ts'

const node = (topics: Record<string, [number, number]>, subscriptions: string[] = Object.keys(topics)): GossipCounts => ({
  topics: [Object.fromEntries(Object.entries(topics).map(([t, [published, received]]) => [t, { published, received }]))],
  subscriptions
})

/** polls that return these probes in turn (the last one for ever), counting how often they were asked */
function polls(...probes: Probe[]): { probe: () => Promise<Probe>; asked: () => number } {
  let n = 0
  return { probe: async () => probes[Math.min(n++, probes.length - 1)], asked: () => n }
}
const idle = (counts: GossipCounts[], workBegun = 0): Probe => ({ busy: false, inFlight: 0, workBegun, pendingConfirms: 0, counts })

describe('quiescence: when the district is idle and its gossip has arrived', () => {
  it('counts what each node has not received on the topics it reads, subscribed or not yet written', () => {
    const counts = [node({ a: [2, 0], b: [0, 1] }), node({ a: [0, 1] }), node({}, ['a', 'b']), node({ c: [3, 0] })]
    // a: 2 published; b: none published (1 received from outside the district: nothing to wait for); c: read by nobody else
    expect(outstanding(counts)).toEqual([0, 1, 2, 0])
    // and on which topic (what a late tick's report names): a node that subscribed to a topic it never saw waits there too
    expect(outstandingByTopic(counts).map(m => Object.fromEntries(m))).toEqual([{}, { a: 1 }, { a: 2 }, {}])
    // topic by topic: one received from outside on b does not make up for the one it lacks on a
    expect(outstanding([node({ a: [0, 0], b: [0, 1] }), node({ a: [1, 0] })])).toEqual([1, 0])
  })

  it("waits for nothing on a topic a node only writes (a feeder's bids, read by its relays only), but counts it for the readers", () => {
    // two buyers publish bids they do not read; the relay reads them; the buyers also read each other's offers
    const buyer = (bids: number, offers: [number, number]): GossipCounts => ({
      ...node({ bid: [bids, 0], offer: offers }, ['offer']),
      writeOnly: ['bid']
    })
    const counts = [buyer(2, [1, 1]), buyer(3, [1, 1]), node({ bid: [0, 4], offer: [0, 2] })]
    // the relay has 4 of the 5 bids; neither buyer waits for the other's bids
    expect(outstanding(counts)).toEqual([0, 0, 1])
    // without writeOnly, each buyer would wait for the other's bids for ever
    expect(outstanding(counts.map(({ writeOnly: _w, ...c }) => c))).toEqual([3, 2, 1])
  })

  it('one poll that finds every node idle with nothing outstanding suffices in one process', async () => {
    const p = polls(idle([node({ a: [1, 0] }), node({ a: [0, 1] })]))
    expect(await settle(p.probe, [0, 0], { gossipSettleMs: 1_000 })).toBe(true)
    expect(p.asked()).toBe(1)
  })

  it('across processes, two polls in a row must agree: work begun between them, or a node busy, means ask again', async () => {
    const done = [node({ a: [1, 0] }), node({ a: [0, 1] })]
    // the first poll sees everything idle, but by the second a node had begun new work (and finished it)
    const p = polls(idle(done, 5), idle(done, 6), { ...idle(done, 7), busy: true }, idle(done, 7), idle(done, 7))
    expect(await settle(p.probe, [0, 0], { gossipSettleMs: 1_000, confirm: true })).toBe(true)
    expect(p.asked()).toBe(5)
  })

  it('waits for gossip still on its way, and gives up only after the wait passes with no progress at all', async () => {
    const sent = idle([node({ a: [1, 0] }), node({ a: [0, 0] })])
    const arrived = idle([node({ a: [1, 0] }), node({ a: [0, 1] })])
    const p = polls(sent, sent, sent, arrived)
    expect(await settle(p.probe, [0, 0], { gossipSettleMs: 1_000 })).toBe(true)
    const lost = polls(sent)
    const t0 = performance.now()
    expect(await settle(lost.probe, [0, 0], { gossipSettleMs: 50 })).toBe(false)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50)
    // what a node was never going to get does not hold the district up
    expect(await settle(polls(sent).probe, [0, 1], { gossipSettleMs: 1_000 })).toBe(true)
  })

  it('work in flight holds the district up even when all gossip has arrived', async () => {
    const counts = [node({ a: [1, 0] }), node({ a: [0, 1] })]
    const p = polls({ ...idle(counts), inFlight: 2 }, { ...idle(counts), inFlight: 1 }, idle(counts))
    expect(await settle(p.probe, [0, 0], { gossipSettleMs: 1_000 })).toBe(true)
    expect(p.asked()).toBe(3)
  })
})
