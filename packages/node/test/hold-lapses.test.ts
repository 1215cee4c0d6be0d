/**
 * A buyer that lets a seller's holds lapse, unconfirmed, is refused for a while (hold-lapses.ts): the counting
 * alone, then a real SellerDesk on a level journal, proposals sealed and signed as a buyer sends them.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { open, seal, signerFromSeed, signTerms, tradeIdBytes, type Accept, type Reject } from '@kvartal/protocol'
import { HoldLapses } from '../src/hold-lapses.ts'
import { buyerStream, proposalOf, sellerRig } from './helpers/seller-rig.ts'

describe('HoldLapses', () => {
  it('refuses a buyer from its third lapse in a row for ten holds, doubling with each more, at most an hour', () => {
    const l = new HoldLapses(10_000)
    l.lapsed('a', 0)
    l.lapsed('a', 1)
    expect(l.refused('a', 2)).toBeUndefined()
    l.lapsed('a', 2)
    expect(l.refused('a', 3)).toEqual({ until: 100_002, lapses: 3 })
    expect(l.refused('a', 100_002)).toBeUndefined()
    l.lapsed('a', 200_000)
    expect(l.refused('a', 200_000)).toEqual({ until: 400_000, lapses: 4 })
    for (let i = 0; i < 20; i++) l.lapsed('a', 500_000)
    expect(l.refused('a', 500_000)?.until).toBe(500_000 + 3_600_000)
    // another buyer is not touched
    expect(l.refused('b', 3)).toBeUndefined()
  })

  it('forgets a buyer that confirms, and keeps the longest refusal already earned', () => {
    const l = new HoldLapses(1_000, { allowed: 2 })
    l.lapsed('a', 0)
    l.confirmed('a')
    l.lapsed('a', 10)
    expect(l.refused('a', 11)).toBeUndefined()
    l.lapsed('a', 20)
    expect(l.refused('a', 21)?.until).toBe(10_020)
    l.confirmed('a')
    expect(l.refused('a', 21)).toBeUndefined()
  })

  it('remembers at most maxBuyers buyers, forgetting the one that lapsed longest ago', () => {
    const l = new HoldLapses(1_000, { allowed: 1, maxBuyers: 2 })
    l.lapsed('a', 0)
    l.lapsed('b', 0)
    l.lapsed('a', 1)
    l.lapsed('c', 2)
    expect(l.refused('b', 3)).toBeUndefined()
    expect(l.refused('a', 3)).toBeDefined()
    expect(l.refused('c', 3)).toBeDefined()
  })
})

const seller = signerFromSeed(new Uint8Array(32).fill(1))
const hostile = signerFromSeed(new Uint8Array(32).fill(2))
const honest = signerFromSeed(new Uint8Array(32).fill(3))
let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-lapses-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('SellerDesk and buyers that never confirm', () => {
  it('refuses a buyer whose holds lapsed three times in a row, while an honest buyer buys; a confirm clears the record', async () => {
    const { journal, clock, positions, desk, events } = await sellerRig(dir, seller)
    let n = 0
    /** one negotiation on a stream of its own: a proposal for all 1,000 Wh; then a confirm, or the buyer goes away */
    const negotiate = async (buyer: typeof hostile, confirm: boolean): Promise<string> => {
      const proposal = proposalOf(buyer, seller, new Uint8Array(16).fill(++n), 1_000, 900, clock.now())
      const { channel, sent } = buyerStream(
        proposal,
        confirm
          ? frames => {
              const accept = open(frames[0], { maxBytes: 4096, kinds: ['accept'] }).message as Accept
              const terms = accept.terms
              return seal('confirm', { tradeId: tradeIdBytes(terms), terms, buyerSignature: signTerms(terms, buyer) }, buyer)
            }
          : undefined
      )
      await desk.handle(channel).catch(() => {})
      const first = open(sent[0], { maxBytes: 4096, kinds: ['accept', 'counter', 'reject'] })
      return first.kind === 'reject' ? (first.message as Reject).code : first.kind
    }
    const lapse = async (): Promise<void> => {
      clock.advanceTo(clock.now() + 10_001)
      await desk.expireHolds()
    }
    // three times: accepted for everything, never confirmed, the hold lapses
    for (let i = 0; i < 3; i++) {
      expect(await negotiate(hostile, false)).toBe('accept')
      expect(positions.available(0, clock.now())).toBe(0)
      await lapse()
    }
    // the fourth proposal is refused, and the energy stays for the honest buyer
    expect(await negotiate(hostile, false)).toBe('lapsed-holds')
    expect(events.map(e => e.code)).toContain('lapsed-holds')
    expect(positions.available(0, clock.now())).toBe(1_000)
    expect(await negotiate(honest, true)).toBe('accept')
    expect(positions.committed(0)).toBe(1_000)
    // ten holds' time later it may propose again; one more lapse refuses it for twice as long
    positions.setLimit(0, 2_000)
    clock.advanceTo(clock.now() + 100_000)
    expect(await negotiate(hostile, false)).toBe('accept')
    await lapse()
    expect(await negotiate(hostile, false)).toBe('lapsed-holds')
    clock.advanceTo(clock.now() + 150_000)
    expect(await negotiate(hostile, false)).toBe('lapsed-holds')
    clock.advanceTo(clock.now() + 50_000)
    // it confirms this time: its record is cleared, and a lapse after is only its first
    expect(await negotiate(hostile, true)).toBe('accept')
    positions.setLimit(0, 3_000)
    expect(await negotiate(hostile, false)).toBe('accept')
    await lapse()
    expect(await negotiate(hostile, false)).toBe('accept')
    await journal.close()
  })
})
