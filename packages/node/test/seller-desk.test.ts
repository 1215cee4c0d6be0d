import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { open, signerFromSeed, signTerms, tradeIdBytes, tradeId, type TradeTerms } from '@kvartal/protocol'
import { Journal } from '../src/index.ts'
import { buyerStream, proposalOf, sellerRig } from './helpers/seller-rig.ts'

const seller = signerFromSeed(new Uint8Array(32).fill(1))
const buyer = signerFromSeed(new Uint8Array(32).fill(2))
let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-desk-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function setup() {
  const { journal, clock, positions, desk } = await sellerRig(dir, seller)
  /** a hold and its journal record, as the desk makes them when it accepts */
  const hold = async (n: number, energyWh: number) => {
    const negotiation = new Uint8Array(16).fill(n)
    const neg = Buffer.from(negotiation).toString('hex')
    const terms: TradeTerms = {
      version: 1,
      district: 'd',
      negotiation,
      buyer: buyer.publicKey,
      seller: seller.publicKey,
      slot: 0,
      energyWh,
      price: 500,
      agreedAt: clock.now()
    }
    const h = positions.hold(
      { negotiation: neg, slot: 0, energyWh, holdUntil: clock.now() + 10_000, price: 500, counterparty: 'b' },
      clock.now()
    )!
    await journal.putHold({
      negotiation: neg,
      slot: 0,
      energyWh: h.energyWh,
      price: 500,
      holdUntil: h.holdUntil,
      counterparty: 'b',
      tradeId: tradeId(terms)
    })
    desk.restoreHold(neg, tradeId(terms))
    return { tradeId: tradeIdBytes(terms), terms, buyerSignature: signTerms(terms, buyer) }
  }
  return { journal, clock, positions, desk, hold }
}

async function committedWh(journal: Journal): Promise<number> {
  return (await journal.trades()).filter(t => t.status === 'committed').reduce((a, t) => a + t.decoded.terms.energyWh, 0)
}

describe('SellerDesk', () => {
  it('a confirm racing an expiry sweep either commits or is refused, and memory always agrees with the journal', async () => {
    for (const sweepFirst of [false, true]) {
      const { journal, clock, positions, desk, hold } = await setup()
      const c = await hold(1, 600)
      const confirming = desk.commitConfirm(c).then(
        () => 'committed',
        (e: Error & { code?: string }) => e.code
      )
      if (sweepFirst) clock.advanceTo(clock.now() + 20_000)
      const sweeping = desk.expireHolds()
      clock.advanceTo(clock.now() + 20_000)
      const [outcome] = await Promise.all([confirming, sweeping, desk.expireHolds()])
      expect(['committed', 'expired']).toContain(outcome)
      expect(positions.committed(0)).toBe(await committedWh(journal))
      // what is left to sell is exactly the limit minus what the journal holds as sold
      expect(positions.available(0, clock.now())).toBe(1_000 - (await committedWh(journal)))
      await journal.close()
    }
  })

  it('a hold that the expiry sweep takes while its record is being written is refused, not promised, and leaves no record', async () => {
    const { journal, clock, positions, desk } = await setup()
    const negotiation = new Uint8Array(16).fill(7)
    const neg = Buffer.from(negotiation).toString('hex')
    // the buyer's end of the stream: one proposal in, the desk's frames out (then the buyer goes away)
    const { channel, sent } = buyerStream(proposalOf(buyer, seller, negotiation, 400, 900, clock.now()))
    const handling = desk.handle(channel).catch(() => {})
    // the desk holds in memory, then writes the hold's record (real I/O): the sweep comes in between
    while (positions.getHold(0, neg) == null) await Promise.resolve()
    clock.advanceTo(clock.now() + 20_000)
    await Promise.all([handling, desk.expireHolds()])
    expect((await journal.holds()).map(h => h.negotiation)).not.toContain(neg)
    expect(sent.map(f => open(f, { maxBytes: 4096, kinds: ['accept', 'counter', 'reject'] }).kind)).toEqual(['reject'])
    expect(positions.available(0, clock.now())).toBe(1_000)
    await journal.close()
  })

  it('a hold that lapses before a new proposal comes is still released in the journal by the next sweep', async () => {
    const { journal, clock, positions, desk, hold } = await setup()
    await hold(3, 600)
    const lapsed = Buffer.from(new Uint8Array(16).fill(3)).toString('hex')
    clock.advanceTo(clock.now() + 20_000)
    // a new proposal before the sweep: the desk holds again for it (the soak's 1 s slots, ticks late on a loaded machine)
    const negotiation = new Uint8Array(16).fill(8)
    const { channel } = buyerStream(proposalOf(buyer, seller, negotiation, 800, 900, clock.now()))
    await desk.handle(channel).catch(() => {})
    expect(positions.getHold(0, Buffer.from(negotiation).toString('hex'))?.energyWh).toBe(800)
    await desk.expireHolds()
    expect((await journal.holds()).map(h => h.negotiation)).not.toContain(lapsed)
    await journal.close()
  })

  it('confirms are idempotent by trade id and refuse forged or altered terms', async () => {
    const { journal, positions, desk, hold } = await setup()
    const c = await hold(2, 400)
    const id = await desk.commitConfirm(c)
    expect(await desk.commitConfirm(c)).toBe(id)
    expect(positions.committed(0)).toBe(400)
    const d = await hold(3, 100)
    await expect(desk.commitConfirm({ ...d, buyerSignature: signTerms(d.terms, seller) })).rejects.toMatchObject({ code: 'bad-signature' })
    const altered = { ...d.terms, energyWh: 999 }
    await expect(
      desk.commitConfirm({ tradeId: tradeIdBytes(altered), terms: altered, buyerSignature: signTerms(altered, buyer) })
    ).rejects.toMatchObject({ code: 'bad-confirm' })
    expect(positions.committed(0)).toBe(400)
    expect((await journal.trades()).length).toBe(1)
    await journal.close()
  })

  it("a confirm that comes while the same trade's commit is being journaled gets that commit's answer, not `expired`", async () => {
    const { journal, positions, desk, hold } = await setup()
    const c = await hold(4, 300)
    // the buyer's retry of a confirm whose answer was slow: both reach the desk before the first is journaled
    const outcomes = await Promise.allSettled([desk.commitConfirm(c), desk.commitConfirm(c)])
    expect(outcomes.map(o => (o.status === 'fulfilled' ? o.value : (o.reason as { code?: string }).code))).toEqual([
      tradeId(c.terms),
      tradeId(c.terms)
    ])
    expect(positions.committed(0)).toBe(300)
    expect(await committedWh(journal)).toBe(300)
    await journal.close()
  })

  it('refuses a price past ten retail tariffs (what a pair owes must stay a safe integer) and holds nothing for it', async () => {
    const { journal, clock, positions, desk } = await setup()
    const answer = async (n: number, price: number): Promise<{ kind: string; code?: string }> => {
      const { channel, sent } = buyerStream(proposalOf(buyer, seller, new Uint8Array(16).fill(n), 100, price, clock.now()))
      await desk.handle(channel).catch(() => {})
      const r = open(sent[0], { maxBytes: 4096, kinds: ['accept', 'counter', 'reject'] })
      return r.kind === 'reject' ? { kind: 'reject', code: (r.message as { code: string }).code } : { kind: r.kind }
    }
    // retail is 1,000 nanos/kWh in this desk's context
    expect(await answer(20, 10_001)).toEqual({ kind: 'reject', code: 'price-out-of-range' })
    expect(await answer(21, Number.MAX_SAFE_INTEGER)).toEqual({ kind: 'reject', code: 'price-out-of-range' })
    expect(positions.available(0, clock.now())).toBe(1_000)
    expect(await answer(22, 10_000)).toEqual({ kind: 'accept' })
    expect(positions.available(0, clock.now())).toBe(900)
    await journal.close()
  })

  it('a journal that cannot be opened is a JournalError that says what to check', async () => {
    const file = join(dir, 'not-a-dir')
    await writeFile(file, 'x')
    await expect(Journal.open(join(file, 'j'))).rejects.toMatchObject({
      name: 'JournalError',
      message: expect.stringContaining('data directory')
    })
  })
})
