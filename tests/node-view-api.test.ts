import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runKvartal, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'
import { ControlClientError, callNode, type EventsAnswer, type NodeView } from '@kvartal/cli'

/**
 * The control API's `/view` and `/events` of a real `kvartal node` (a buyer) trading with another (a
 * seller), on 6 s slots and 2-slot settlement periods.
 */

let dir: string
const procs: NodeProcess[] = []
let buyer: NodeProcess
let buyerDir: string
let buyerListening: Record<string, any>
let sellerListening: Record<string, any>

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-view-'))
  const seller = runKvartal([
    'node',
    '--config',
    await writeNodeConfig({ dir, name: 'seller', position: [600], periodSlots: 2, slotSeconds: 6 })
  ])
  procs.push(seller)
  sellerListening = await seller.waitFor(l => l.event === 'listening')
  buyer = runKvartal([
    'node',
    '--config',
    await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [sellerListening.addrs[0]], periodSlots: 2, slotSeconds: 6 })
  ])
  procs.push(buyer)
  buyerDir = join(dir, 'buyer')
  buyerListening = await buyer.waitFor(l => l.event === 'listening')
}, 60_000)

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await rm(dir, { recursive: true, force: true })
})

const events = async (query: string): Promise<EventsAnswer> => await callNode(buyerDir, 'GET', `/events${query}`)
const view = async (): Promise<NodeView> => await callNode(buyerDir, 'GET', '/view')
/** The node's log line of an event, without what pino adds: the event as the ring holds it. */
const logged = (l: Record<string, any>): Record<string, unknown> => {
  const { level: _l, time: _t, pid: _p, hostname: _h, msg: _m, event: _e, ...rest } = l
  return rest
}

describe('GET /view and GET /events of a running node', () => {
  it('/events long-polls: each answer comes when an event does, in sequence, up to the trade the node logs', {
    timeout: 40_000
  }, async () => {
    let after = (await events('')).last
    let boot: string | undefined
    let trade: { seq: number; event: Record<string, any> } | undefined
    let answeredAt = 0
    while (trade == null) {
      const a = await events(`?after=${after}&wait=25000`)
      answeredAt = Date.now()
      boot ??= a.boot
      expect(a.boot).toBe(boot)
      expect(a.missed).toBe(0)
      expect(a.events.length).toBeGreaterThan(0)
      // contiguous: nothing skipped, nothing twice
      expect(a.events.map(e => e.seq)).toEqual(a.events.map((_, i) => after + 1 + i))
      after = a.events.at(-1)!.seq
      trade = a.events.find(e => e.event.type === 'trade-committed' && e.event.detail === 'buyer') as typeof trade
    }
    // the poll that carried the trade was answered as it happened, not when its 25 s ran out
    expect(answeredAt - trade!.event.at).toBeLessThan(2_000)
    // the same NodeEvent the node logged
    const line = await buyer.waitFor(
      l => l.event === 'trade-committed' && l.correlation === trade!.event.correlation && l.detail === 'buyer'
    )
    expect(trade!.event).toEqual(logged(line))
  })

  it('/events after the newest event waits the time asked and answers nothing; bad query values are 400s naming them', {
    timeout: 20_000
  }, async () => {
    const now = await events('')
    const began = Date.now()
    const far = await events(`?after=${now.last + 1_000_000}&wait=1500`)
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_400)
    expect({ events: far.events, missed: far.missed, boot: far.boot }).toEqual({ events: [], missed: 0, boot: now.boot })
    // everything kept, from after=0
    const all = await events('?after=0')
    expect(all.events[0].seq).toBe(all.first)
    expect(all.events[0].event.type).toBe('started')
    const cases: Array<[string, string]> = [
      ['?after=-1', 'after: must be a whole number, 0 or more, got "-1"'],
      ['?after=abc', 'after: must be a whole number, 0 or more, got "abc"'],
      ['?after=1&wait=1.5', 'wait: must be a whole number, 0 or more, got "1.5"'],
      ['?after=1&after=2', 'after: give it once'],
      ['?since=3', 'since: is not a parameter of /events (after, wait)']
    ]
    for (const [query, message] of cases) {
      const err = await events(query).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(err, query).toBeInstanceOf(ControlClientError)
      expect(
        { status: (err as ControlClientError).status, code: (err as ControlClientError).code, message: (err as Error).message },
        query
      ).toEqual({ status: 400, code: 'bad-request', message })
    }
  })

  it('/view: who the node is, its peers, its open slots and book, its trades per slot, settlement and meter gaps, as its log says', {
    timeout: 40_000
  }, async () => {
    const settled = await buyer.waitFor(l => l.event === 'period-settled', 35_000)
    const v = await view()
    expect(v.node).toEqual({
      peerId: buyerListening.peerId,
      trader: buyerListening.trader,
      district: 'proc-test',
      feeder: null,
      relay: false,
      state: 'trading'
    })
    expect(v.peers.count).toBe(1)
    expect(v.peers.list).toEqual([{ peerId: sellerListening.peerId, trader: sellerListening.trader }])
    expect(v.slotSeconds).toBe(6)
    // the open slots: each needs 200 Wh (position -200), sells nothing; what is left plus committed and held is the need
    expect(v.openSlots.length).toBeGreaterThan(0)
    for (const s of v.openSlots) {
      expect(s.slot).toBeGreaterThanOrEqual(v.firstOpenSlot)
      expect(s.need.limitWh).toBe(200)
      expect(s.need.committedWh + s.need.heldWh + s.need.availableWh).toBe(200)
      expect(s.selling.limitWh).toBe(0)
      for (const l of s.book.offers) expect(l.relayed).toBe(0)
    }
    // the seller offers 600 Wh a slot and the buyer takes 200: its book shows what is left, cheapest first
    const offers = v.openSlots.flatMap(s => s.book.offers)
    expect(offers.length).toBeGreaterThan(0)
    for (const s of v.openSlots) expect(s.book.offers.map(l => l.price)).toEqual([...s.book.offers.map(l => l.price)].sort((a, b) => a - b))
    // trades per slot: the closed slots' figures are the buyer's trade-committed lines of that slot
    const closed = v.trades.filter(t => t.slot < v.firstOpenSlot)
    expect(closed.length).toBeGreaterThan(0)
    for (const t of closed) {
      const lines = buyer.lines.filter(l => l.event === 'trade-committed' && l.detail === 'buyer' && l.slot === t.slot)
      const wh = lines.reduce((a, l) => a + l.energyWh, 0)
      expect({
        slot: t.slot,
        trades: t.bought.trades,
        energyWh: t.bought.energyWh,
        sold: t.sold.trades,
        local: t.local.energyWh,
        cross: t.crossFeeder.energyWh
      }).toEqual({ slot: t.slot, trades: lines.length, energyWh: wh, sold: 0, local: wh, cross: 0 })
      expect(t.averagePrice).toBe(Math.round(lines.reduce((a, l) => a + l.price * l.energyWh, 0) / wh))
    }
    expect(v.negotiations.committed).toBeGreaterThanOrEqual(closed.reduce((a, t) => a + t.bought.trades, 0))
    // settlement: the last period settled is at least the one logged; no meter: every slot a gap
    const period = Number(String(settled.correlation).split('/')[1])
    expect(v.settlement.lastSettledPeriod).toBeGreaterThanOrEqual(period)
    expect(v.settlement.periodSlots).toBe(2)
    expect(v.settlement.lastSettled).toMatchObject({ trades: expect.any(Number), root: expect.any(String) })
    expect(v.meter.kind).toBe('none')
    expect(v.meter.gaps).toBeGreaterThan(0)
    expect(v.meter.gaps).toBeLessThanOrEqual(buyer.lines.filter(l => l.event === 'meter-gap').length)
    // integers only
    const numbers: number[] = []
    JSON.stringify(v, (_k, x) => {
      if (typeof x === 'number') numbers.push(x)
      return x
    })
    expect(numbers.filter(n => !Number.isSafeInteger(n))).toEqual([])
  })
})
