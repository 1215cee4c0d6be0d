/**
 * Errors of the node itself are `node-error` events with a NodeErrorCode, never `negotiation-failed`:
 *   - a seller whose journal writes start failing with an I/O error (a test double of a failing disk
 *     under its real LevelDB, testing/failing-disk.ts) while it trades with a buyer over real libp2p:
 *     it says `node-error` `journal-write-failed` once, stops trading (refuses every proposal with that
 *     code, announces nothing, commits nothing), and trades again once its disk works; both journals,
 *     reopened, hold the same committed trades;
 *   - a buyer whose journal fails proposes nothing until it writes again;
 *   - a tick that throws is `node-error` `tick-failed`;
 *   - a part that fails to stop is `node-error` `stop-failed`, and the rest of the node still stops.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { NodeEvent } from '@kvartal/protocol'
import { SimulatedMeter } from '@kvartal/meters'
import { Journal, type KvartalNode } from '../src/index.ts'
import { startDistrict, slots, type TestDistrict } from '../../../tests/helpers/nodes.ts'
import { FailingDisk } from '../testing/failing-disk.ts'

/** advances the district's clock tick by tick until `cond` holds, at most `maxSlots` slots of simulated time */
async function runUntilTrue(d: TestDistrict, cond: () => boolean, what: string, maxSlots = 8): Promise<void> {
  const limit = d.clock.now() + maxSlots * slots.slotMs
  while (!cond()) {
    if (d.clock.now() >= limit) throw new Error(`no ${what} within ${maxSlots} slots of simulated time`)
    await d.runUntil(d.clock.now() + slots.slotMs / 4)
  }
}

const sellerAndBuyer = [
  { buyLimit: 900_000_000, sellLimit: 350_000_000, position: (s: number) => (s >= 0 ? 2_000 : 0) },
  { buyLimit: 900_000_000, sellLimit: 350_000_000, position: (s: number) => (s >= 0 ? -300 : 0) }
]

/** the events of `n` of `type` (that match `p`), from index `from` of the district's events on */
const eventsOf = (d: TestDistrict, n: KvartalNode, type: string, p: (e: NodeEvent) => boolean = () => true, from = 0): NodeEvent[] =>
  d.events.slice(from).filter(e => e.node === n.id && e.type === type && p(e))

/** what no event may be: a failure of the node reported as a negotiation's (a negotiation-failed that names no peer) */
const notANegotiation = (e: NodeEvent): boolean => e.peer == null || e.code === 'tick-error' || e.code === 'tick-failed'

describe('a node whose journal cannot be written', () => {
  it(
    'a seller says node-error once, refuses proposals with journal-write-failed, commits nothing, ' +
      'and trades again when its disk works',
    async () => {
      const disk = new FailingDisk()
      const d = await startDistrict(sellerAndBuyer, {
        extra: i => (i === 0 ? { journal: { sync: false, diskProbeMs: 20, database: disk.database } } : {})
      })
      const [seller, buyer] = d.nodes
      const of = (n: KvartalNode, type: string, p?: (e: NodeEvent) => boolean, from?: number): NodeEvent[] => eventsOf(d, n, type, p, from)
      try {
        await runUntilTrue(d, () => of(seller, 'trade-committed').length >= 1 && of(buyer, 'trade-committed').length >= 1, 'first trade')
        // the disk fails under the seller: its next journal write finds it
        disk.fail()
        const failedAt = d.events.length
        await runUntilTrue(d, () => of(seller, 'node-error', undefined, failedAt).length >= 1, 'node-error at the seller')
        const [error] = of(seller, 'node-error', undefined, failedAt)
        expect(error).toMatchObject({
          code: 'journal-write-failed',
          detail: expect.stringMatching(/journal write failed \(.+\): IO error: .*Input\/output error; this node takes no new work/)
        })
        expect(seller.journal.refusing).toMatchObject({ code: 'journal-write-failed' })
        const tradesWhenDown = of(seller, 'trade-committed').length
        // the buyer keeps asking: refused with the typed code, by the seller and as the buyer hears it
        await runUntilTrue(
          d,
          () => of(seller, 'rejected', e => e.code === 'journal-write-failed').length >= 1,
          'a proposal refused for the journal'
        )
        await runUntilTrue(d, () => of(buyer, 'rejected', e => e.code === 'journal-write-failed').length >= 1, 'the refusal at the buyer')
        // long enough for its announcements to fall due (their validity ends): it tries none
        await d.runUntil(d.clock.now() + 4 * slots.slotMs)
        expect(disk.failing).toBe(true)
        expect(of(seller, 'trade-committed').length).toBe(tradesWhenDown)
        expect(of(seller, 'offer-published', undefined, failedAt)).toEqual([])
        // said once, as a node error; never as a negotiation's failure, and no tick reports the refused writes again
        expect(of(seller, 'node-error', undefined, failedAt)).toEqual([error])
        expect(of(seller, 'negotiation-failed', notANegotiation)).toEqual([])
        expect(of(seller, 'storage-full')).toEqual([])
        // the disk works again: the journal reopens by itself and the two trade again
        disk.heal()
        await runUntilTrue(d, () => of(seller, 'storage-recovered').length === 1, 'storage-recovered')
        expect(seller.journal.refusing).toBeUndefined()
        await runUntilTrue(d, () => of(seller, 'trade-committed').length > tradesWhenDown, 'a trade after the disk works again')
        await d.runUntil(d.clock.now() + slots.slotMs)
        expect(of(seller, 'node-error')).toEqual([error])
      } finally {
        await Promise.all(d.nodes.map(async n => await n.stop()))
      }
      try {
        // every trade the seller said it committed is in both journals, reopened, with the same terms
        const sj = await Journal.open(join(d.dir, 'n0'), { sync: false })
        const bj = await Journal.open(join(d.dir, 'n1'), { sync: false })
        const sold = (await sj.trades()).filter(t => t.role === 'seller' && t.status === 'committed')
        const bought = (await bj.trades()).filter(t => t.role === 'buyer' && t.status !== 'void')
        await sj.close()
        await bj.close()
        expect(new Set(sold.map(t => t.id))).toEqual(new Set(of(seller, 'trade-committed').map(e => e.correlation)))
        expect(sold.length).toBeGreaterThanOrEqual(2)
        expect(new Map(bought.map(t => [t.id, t.trade]))).toEqual(new Map(sold.map(t => [t.id, t.trade])))
      } finally {
        await d.close()
      }
    }
  )

  it('a buyer whose journal fails proposes nothing until it writes again', async () => {
    const disk = new FailingDisk()
    const d = await startDistrict(sellerAndBuyer, {
      extra: i => (i === 1 ? { journal: { sync: false, diskProbeMs: 20, database: disk.database } } : {})
    })
    const [, buyer] = d.nodes
    const of = (type: string, p?: (e: NodeEvent) => boolean, from?: number): NodeEvent[] => eventsOf(d, buyer, type, p, from)
    try {
      await runUntilTrue(d, () => of('trade-committed').length >= 1, 'first trade')
      disk.fail()
      const failedAt = d.events.length
      await runUntilTrue(d, () => of('node-error', undefined, failedAt).length >= 1, 'node-error at the buyer')
      expect(of('node-error', undefined, failedAt).map(e => e.code)).toEqual(['journal-write-failed'])
      const downAt = d.events.length
      await d.runUntil(d.clock.now() + 2 * slots.slotMs)
      expect(of('proposal-sent', undefined, downAt)).toEqual([])
      expect(of('negotiation-failed', notANegotiation)).toEqual([])
      disk.heal()
      await runUntilTrue(d, () => of('storage-recovered').length === 1, 'storage-recovered at the buyer')
      await runUntilTrue(d, () => of('proposal-sent', undefined, downAt).length >= 1, 'a proposal once the journal writes again')
    } finally {
      await d.close()
    }
  })
})

describe('errors of the node itself', () => {
  it('a tick that throws is node-error tick-failed, not negotiation-failed', async () => {
    const d = await startDistrict(
      [
        {
          buyLimit: 900_000_000,
          sellLimit: 350_000_000,
          position: s => {
            if (s === 5) throw new Error('the forecast for slot 5 is unavailable')
            return 100
          }
        }
      ],
      { extra: () => ({ joinTimeoutMs: 50 }) }
    )
    const [node] = d.nodes
    try {
      await runUntilTrue(d, () => d.events.some(e => e.type === 'node-error'), 'node-error', 1)
      const error = await d.waitFor('node-error')
      expect(error).toMatchObject({ node: node.id, code: 'tick-failed', detail: 'the forecast for slot 5 is unavailable (Error)' })
      expect(d.events.filter(e => e.type === 'negotiation-failed')).toEqual([])
    } finally {
      await d.close()
    }
  })

  it('a part that fails to stop is node-error stop-failed, and the node still stops and closes its journal', async () => {
    // a meter whose driver cannot be stopped (its serial port gone): a stand-in for a real one
    class StuckMeter extends SimulatedMeter {
      override async stop(): Promise<void> {
        throw Object.assign(new Error('serial port /dev/ttyUSB0 is gone'), { code: 'ENODEV' })
      }
    }
    const d = await startDistrict([{ buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 100 }], {
      extra: () => ({ joinTimeoutMs: 50, meter: new StuckMeter({ name: 'stuck', slots, netWh: () => 100 }) })
    })
    const [node] = d.nodes
    try {
      await node.stop()
      const mine = d.events.filter(e => e.node === node.id)
      const error = mine.find(e => e.type === 'node-error')
      expect(error).toMatchObject({ code: 'stop-failed', detail: 'meter: serial port /dev/ttyUSB0 is gone (ENODEV)' })
      // the parts after it stopped too: the last event is `stopped`, and the journal's lock is free
      expect(mine.at(-1)?.type).toBe('stopped')
      expect(mine.indexOf(error!)).toBeLessThan(mine.length - 1)
      const j = await Journal.open(join(d.dir, 'n0'), { sync: false })
      await j.close()
    } finally {
      await d.close()
    }
  })
})
