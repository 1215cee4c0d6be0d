/**
 * A seller whose data directory sits on a small tmpfs that fills up while it trades with a buyer over
 * real libp2p (memory transport) and real level journals: it refuses new work with a typed
 * DiskFullError (code 'disk-full') and says so (a `storage-full` event, which the CLI logs), commits
 * nothing it cannot journal, loses nothing it had committed, and trades again once space returns
 * (`storage-recovered`). Both journals are reopened afterwards and compared trade by trade.
 * Needs root to mount the tmpfs; skips with the reason where mounting is not allowed.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DiskFullError, type NodeEvent } from '@kvartal/protocol'
import { Journal } from '@kvartal/node'
import { startDistrict, slots, type TestDistrict } from './helpers/nodes.ts'
import { fillDisk, freeDisk, mountTmpfs, unmountTmpfs } from './helpers/tmpfs.ts'

const base = mkdtempSync(join(tmpdir(), 'kvartal-full-disk-'))
const mnt = join(base, 'mnt')
const mounted = mountTmpfs(mnt, 4 * 1024 * 1024)
if (!mounted.ok) console.warn(`full-disk test skipped: cannot mount a tmpfs at ${mnt} (${mounted.why}); it needs root or CAP_SYS_ADMIN`)

/** advances the district's clock tick by tick until `cond` holds, at most `maxSlots` slots of simulated time */
async function runUntilTrue(d: TestDistrict, cond: () => boolean, what: string, maxSlots = 8): Promise<void> {
  const limit = d.clock.now() + maxSlots * slots.slotMs
  while (!cond()) {
    if (d.clock.now() >= limit) throw new Error(`no ${what} within ${maxSlots} slots of simulated time`)
    await d.runUntil(d.clock.now() + slots.slotMs / 4)
  }
}

describe.skipIf(!mounted.ok)('a full disk', () => {
  afterAll(() => {
    unmountTmpfs(mnt)
    rmSync(base, { recursive: true, force: true })
  })

  it('refuses new work with DiskFullError, loses nothing committed, and trades again when space returns', async () => {
    const sellerDir = join(mnt, 'seller')
    const d = await startDistrict(
      [
        { buyLimit: 900_000_000, sellLimit: 350_000_000, position: s => (s >= 0 ? 2_000 : 0) },
        { buyLimit: 900_000_000, sellLimit: 350_000_000, position: s => (s >= 0 ? -300 : 0) }
      ],
      { extra: i => (i === 0 ? { dataDir: sellerDir, journal: { sync: true, minFreeBytes: 256 * 1024, diskProbeMs: 20 } } : {}) }
    )
    const [seller, buyer] = d.nodes
    const of = (n: typeof seller, type: string, p: (e: NodeEvent) => boolean = () => true): NodeEvent[] =>
      d.events.filter(e => e.node === n.id && e.type === type && p(e))
    let filler: string | undefined
    try {
      // 1. they trade
      await runUntilTrue(d, () => of(seller, 'trade-committed').length >= 1 && of(buyer, 'trade-committed').length >= 1, 'first trade')
      // 2. the disk fills up under the seller: its next journal write finds it full
      filler = fillDisk(mnt)
      // (writes that still fit in a page the journal's files already hold succeed, and count)
      await runUntilTrue(d, () => of(seller, 'storage-full').length === 1, 'storage-full event')
      const tradesWhenFull = of(seller, 'trade-committed').length
      const full = of(seller, 'storage-full')[0]
      expect(full.detail).toMatch(/No space left on device/)
      expect(seller.journal.full).toBe(true)
      // a write now is refused with the typed error, at once
      const refused = await seller.journal.nextCounter('probe').catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(DiskFullError)
      expect((refused as DiskFullError).code).toBe('disk-full')
      // the buyer keeps asking for later slots: the seller says it takes no new work, and commits nothing
      await runUntilTrue(d, () => of(seller, 'rejected', e => e.code === 'disk-full').length >= 1, 'proposal refused for a full disk')
      await d.runUntil(d.clock.now() + slots.slotMs)
      expect(of(seller, 'trade-committed').length).toBe(tradesWhenFull)
      expect(of(seller, 'storage-full').length).toBe(1)
      // 3. space returns: the journal is reopened and the two trade again
      freeDisk(filler)
      filler = undefined
      await runUntilTrue(d, () => of(seller, 'storage-recovered').length === 1, 'storage-recovered event')
      expect(seller.journal.full).toBe(false)
      await runUntilTrue(d, () => of(seller, 'trade-committed').length > tradesWhenFull, 'trade after the disk had room again')
      await d.runUntil(d.clock.now() + slots.slotMs)
    } finally {
      if (filler != null) freeDisk(filler)
      await Promise.all(d.nodes.map(async n => await n.stop()))
    }
    try {
      // 4. every committed trade is in both journals, reopened from disk, with the same terms
      const sj = await Journal.open(sellerDir, { sync: false })
      const bj = await Journal.open(join(d.dir, 'n1'), { sync: false })
      const sold = (await sj.trades()).filter(t => t.role === 'seller' && t.status === 'committed')
      const bought = (await bj.trades()).filter(t => t.role === 'buyer' && t.status === 'committed')
      await sj.close()
      await bj.close()
      const committedEvents = of(seller, 'trade-committed').map(e => e.correlation)
      expect(new Set(sold.map(t => t.id))).toEqual(new Set(committedEvents))
      expect(sold.length).toBeGreaterThanOrEqual(2)
      expect(new Map(sold.map(t => [t.id, t.trade]))).toEqual(new Map(bought.map(t => [t.id, t.trade])))
      // never more than the seller had in any slot
      const perSlot = new Map<number, number>()
      for (const t of sold) perSlot.set(t.decoded.terms.slot, (perSlot.get(t.decoded.terms.slot) ?? 0) + t.decoded.terms.energyWh)
      for (const wh of perSlot.values()) expect(wh).toBeLessThanOrEqual(2_000)
    } finally {
      await d.close()
      rmSync(sellerDir, { recursive: true, force: true })
    }
  })

  it('a buyer whose disk fills stops proposing, and its trades end the same in both journals once space returns', async () => {
    const buyerDir = join(mnt, 'buyer')
    const d = await startDistrict(
      [
        { buyLimit: 900_000_000, sellLimit: 350_000_000, position: s => (s >= 0 ? 2_000 : 0) },
        { buyLimit: 900_000_000, sellLimit: 350_000_000, position: s => (s >= 0 ? -300 : 0) }
      ],
      { extra: i => (i === 1 ? { dataDir: buyerDir, journal: { sync: true, minFreeBytes: 256 * 1024, diskProbeMs: 20 } } : {}) }
    )
    const [seller, buyer] = d.nodes
    const index = (n: typeof seller, type: string): number => d.events.findIndex(e => e.node === n.id && e.type === type)
    let filler: string | undefined
    try {
      await runUntilTrue(d, () => d.events.some(e => e.node === buyer.id && e.type === 'trade-committed'), 'first trade')
      filler = fillDisk(mnt)
      await runUntilTrue(d, () => index(buyer, 'storage-full') >= 0, 'storage-full event at the buyer')
      await d.runUntil(d.clock.now() + slots.slotMs)
      freeDisk(filler)
      filler = undefined
      await runUntilTrue(d, () => index(buyer, 'storage-recovered') >= 0, 'storage-recovered event at the buyer')
      // while its disk was full, the buyer sent no proposal (it could not have journaled what it agreed)
      const during = d.events.slice(index(buyer, 'storage-full'), index(buyer, 'storage-recovered'))
      expect(during.filter(e => e.node === buyer.id && e.type === 'proposal-sent')).toEqual([])
      const before = d.events.filter(e => e.node === buyer.id && e.type === 'trade-committed').length
      await runUntilTrue(
        d,
        () => d.events.filter(e => e.node === buyer.id && e.type === 'trade-committed').length > before,
        'a trade after the buyer had room again'
      )
      await d.runUntil(d.clock.now() + slots.slotMs)
    } finally {
      if (filler != null) freeDisk(filler)
      await Promise.all(d.nodes.map(async n => await n.stop()))
    }
    try {
      const sj = await Journal.open(join(d.dir, 'n0'), { sync: false })
      const bj = await Journal.open(buyerDir, { sync: false })
      const sold = (await sj.trades()).filter(t => t.role === 'seller' && t.status === 'committed')
      const bought = (await bj.trades()).filter(t => t.role === 'buyer' && t.status !== 'void')
      await sj.close()
      await bj.close()
      // a trade the seller committed is the buyer's too (committed, or pending until its retry is answered); none only on one side
      expect(new Map(bought.map(t => [t.id, t.trade]))).toEqual(new Map(sold.map(t => [t.id, t.trade])))
      expect(sold.length).toBeGreaterThanOrEqual(2)
    } finally {
      await d.close()
      rmSync(buyerDir, { recursive: true, force: true })
    }
  })
})
