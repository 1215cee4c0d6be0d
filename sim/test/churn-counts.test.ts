import { describe, expect, it } from 'vitest'
import { addCounts, seenAll } from '../src/links/churn-counts.ts'
import { outstanding, type GossipCounts } from '../src/quiescence.ts'

/** one node's counts: per topic [published, received]; it reads `subscriptions` */
const node = (topics: Record<string, [number, number]>, subscriptions: string[]): GossipCounts => ({
  topics: [Object.fromEntries(Object.entries(topics).map(([t, [published, received]]) => [t, { published, received }]))],
  subscriptions
})

describe('the quiescence counts of a node back from churn (churn-counts.ts)', () => {
  it('expects, after its return, only what is published on the topics it reads', () => {
    // before it left, the node (index 1) read its feeder's offers and published 2 there; the district's digest
    // topic, read by the relay (index 0) only, had 5 messages, the feeder's offers 7 (2 of them the node's)
    const frozen = node({ offer: [2, 4] }, ['offer'])
    const totals = new Map([
      ['offer', 7],
      ['digest', 5]
    ])
    const offset = seenAll(frozen, totals)
    // back: its new node has received nothing yet and reads the offers, not the district's digests
    const fresh = node({ offer: [0, 0] }, ['offer'])
    const relay = (digests: number, offers: number): GossipCounts =>
      node({ digest: [digests, 0], offer: [offers, 7 - offers + 2] }, ['digest', 'offer'])
    // at its return nothing is outstanding
    expect(outstanding([relay(5, 5), addCounts(offset, fresh)])).toEqual([0, 0])
    // the relay then publishes 3 more digests (which the node does not read) and 1 offer, which the node has not received
    expect(outstanding([node({ digest: [8, 0], offer: [6, 2] }, ['digest', 'offer']), addCounts(offset, fresh)])).toEqual([0, 1])
    // once it has the offer, nothing
    expect(
      outstanding([node({ digest: [8, 0], offer: [6, 2] }, ['digest', 'offer']), addCounts(offset, node({ offer: [0, 1] }, ['offer']))])
    ).toEqual([0, 0])
  })

  it('a node that pulled what it missed (more received than published on one topic) still waits for what it lacks on another', () => {
    const offset = seenAll(
      node({ offer: [0, 3], zone: [0, 1] }, ['offer', 'zone']),
      new Map([
        ['offer', 3],
        ['zone', 1]
      ])
    )
    // its catch-up pulls brought 2 offers published before its return again; 1 zone message came after and has not reached it
    const back = addCounts(offset, node({ offer: [0, 2], zone: [0, 0] }, ['offer', 'zone']))
    const publisher = node({ offer: [3, 0], zone: [2, 0] }, [])
    expect(outstanding([publisher, back])).toEqual([0, 1])
  })
})
