/**
 * Property tests of the energy topics' gossip validator (gossip-router.ts, the one a node installs for
 * its offer and bid topics) on hostile, signed envelopes: a mutated envelope, a forged signature, a
 * replayed sequence number, the wrong district, feeder or topic, and energy the encoder would never
 * write (zero, beyond 2^53, a double where an integer belongs) get the documented verdict — reject, or
 * ignore for a replay — and never reach the book. Seeded (protocol/testing/arbitraries.ts).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { OrderBook } from '@kvartal/market'
import {
  districtDigestTopic,
  feederDigestTopic,
  open,
  seal,
  signerFromSeed,
  signingDomain,
  topicFor,
  type Announcement,
  type Signer
} from '@kvartal/protocol'
import { gossipRouter, identityFromSeed } from '../src/index.ts'
import * as A from '@kvartal/protocol/testing'
import { wire } from '@kvartal/protocol/testing'

const now = 1_000_000
const district = 'test'
const from = (await identityFromSeed(new Uint8Array(32).fill(40))).peerId
const signers: Signer[] = [1, 2, 3].map(n => signerFromSeed(new Uint8Array(32).fill(n)))

type Verdict = 'accept' | 'ignore' | 'reject'

/** a node's validator for both energy topics, over a fresh book, as a node wires it (packages/node/src/node-mesh.ts) */
function validatorNode(
  feeder?: string,
  relay = false
): {
  validate(kind: 'offer' | 'bid', data: Uint8Array): Verdict
  validateDigest(data: Uint8Array): Verdict
  validateDistrictDigest(data: Uint8Array): Verdict
  book: OrderBook
  refused: Record<string, number>
} {
  const validators = new Map<string, (from: unknown, msg: { data: Uint8Array; topic: string }) => Verdict>()
  const pubsub = { topicValidators: validators, subscribe() {}, unsubscribe() {}, async publish() {} }
  const book = new OrderBook()
  const router = gossipRouter(pubsub as never, {
    district,
    feeder,
    relay,
    accept: (opened, kind) => {
      book.apply(opened.message, kind, now)
    },
    acceptDigest: opened => {
      book.applyDigest(opened.message, now)
    }
  })
  router.start()
  return {
    book,
    refused: router.stats.refused,
    validate: (kind, data) => {
      const topic = topicFor(district, kind, feeder)
      return validators.get(topic)!(from, { data, topic })
    },
    validateDigest: data => {
      const topic = feederDigestTopic(district, feeder ?? '')
      return validators.get(topic)!(from, { data, topic })
    },
    validateDistrictDigest: data => {
      const topic = districtDigestTopic(district)
      return validators.get(topic)!(from, { data, topic })
    }
  }
}

/** an offer announcement valid at `now`, from one of the seeded signers */
const offerFrom = fc
  .record({ a: A.announcement, who: fc.integer({ min: 0, max: signers.length - 1 }), life: fc.integer({ min: 1, max: 1e9 }) })
  .map(({ a, who, life }) => {
    const { feeder: _, ...rest } = a
    const offers = a.offers.length > 0 ? a.offers : [{ slot: 1, energyWh: 1, price: 1 }]
    return {
      signer: signers[who],
      a: {
        ...rest,
        district,
        trader: signers[who].publicKey,
        issuedAt: now - 1,
        validUntil: now + life,
        bids: [],
        offers
      } satisfies Announcement
    }
  })

/** an envelope around `body` of kind announcement, signed by `signer`: what a hostile encoder can send */
function sealRaw(body: Uint8Array, signer: Signer): Uint8Array {
  const d = signingDomain('announcement')
  const signed = new Uint8Array(d.length + body.length)
  signed.set(d)
  signed.set(body, d.length)
  return wire.Envelope.encode({
    kind: 'announcement',
    body: body as Uint8Array<ArrayBuffer>,
    signer: signer.publicKey as Uint8Array<ArrayBuffer>,
    signature: signer.sign(signed) as Uint8Array<ArrayBuffer>
  })
}
const toWire = (a: Announcement): wire.Announcement => ({
  version: a.version,
  district: a.district,
  trader: a.trader as Uint8Array<ArrayBuffer>,
  seq: BigInt(a.seq),
  issuedAt: BigInt(a.issuedAt),
  validUntil: BigInt(a.validUntil),
  offers: a.offers.map(o => ({ slot: BigInt(o.slot), energyWh: BigInt(o.energyWh), price: BigInt(o.price) })),
  bids: [],
  addrs: a.addrs as Array<Uint8Array<ArrayBuffer>>,
  feeder: a.feeder ?? ''
})

describe('gossip validator on hostile signed envelopes', () => {
  it('the valid announcements the properties start from are accepted', () => {
    fc.assert(
      fc.property(offerFrom, ({ signer, a }) => {
        const n = validatorNode()
        expect(n.validate('offer', seal('announcement', a, signer))).toBe('accept')
        expect(n.book.size.offers).toBe(a.offers.length)
      }),
      A.fuzzParams(100)
    )
  })

  it('a mutated envelope is rejected unless what was signed is untouched; nothing changed reaches the book', () => {
    fc.assert(
      fc.property(offerFrom, fc.array(A.mutation, { minLength: 1, maxLength: 3 }), ({ signer, a }, ms) => {
        const good = seal('announcement', a, signer)
        const bad = A.mutate(good, ms)
        const n = validatorNode()
        const verdict = n.validate('offer', bad)
        let same = false
        try {
          const o = open(bad, { maxBytes: 1 << 20, kinds: ['announcement'] })
          same = Buffer.from(o.body).equals(Buffer.from(open(good, { maxBytes: 1 << 20, kinds: ['announcement'] }).body))
        } catch {}
        if (same) expect(verdict).toBe('accept')
        else {
          expect(verdict).toBe('reject')
          expect(n.book.size.offers).toBe(0)
        }
      }),
      A.fuzzParams(300)
    )
  })

  it('a forged signature (random bytes, another key, another trader) is rejected', () => {
    fc.assert(
      fc.property(offerFrom, A.sig64, fc.integer({ min: 0, max: 2 }), ({ signer, a }, junk, how) => {
        const n = validatorNode()
        const other = signers.find(s => s !== signer)!
        let env: Uint8Array
        if (how === 0) {
          const w = wire.Envelope.decode(seal('announcement', a, signer))
          env = wire.Envelope.encode({ ...w, signature: junk as Uint8Array<ArrayBuffer> })
        }
        // signed correctly by another key, claiming the trader's offers
        else if (how === 1) env = seal('announcement', a, other)
        // the signer's key in the envelope swapped for the trader's, signature left as the other's
        else {
          const w = wire.Envelope.decode(seal('announcement', a, other))
          env = wire.Envelope.encode({ ...w, signer: signer.publicKey as Uint8Array<ArrayBuffer> })
        }
        expect(n.validate('offer', env)).toBe('reject')
        expect(n.book.size.offers).toBe(0)
        expect((n.refused['bad-signature'] ?? 0) + (n.refused.malformed ?? 0)).toBe(1)
      }),
      A.fuzzParams(300)
    )
  })

  it('a replayed or older sequence number, even correctly signed with other offers, is ignored and changes nothing', () => {
    fc.assert(
      fc.property(offerFrom, fc.nat(), fc.array(A.order, { minLength: 1, maxLength: 4 }), ({ signer, a }, back, offers) => {
        const n = validatorNode()
        expect(n.validate('offer', seal('announcement', a, signer))).toBe('accept')
        const before = n.book.forSlot('offer', a.offers[0].slot, now).map(o => ({ ...o }))
        const seq = Math.max(1, a.seq - (back % (a.seq + 1)))
        expect(n.validate('offer', seal('announcement', { ...a, seq, offers }, signer))).toBe('ignore')
        expect(n.refused.replayed).toBe(1)
        expect(n.book.forSlot('offer', a.offers[0].slot, now)).toEqual(before)
      }),
      A.fuzzParams(300)
    )
  })

  it('the wrong district, the wrong feeder, or offers on the bid topic are rejected', () => {
    const otherDistrict = A.districtName.filter(d => d !== district)
    fc.assert(
      fc.property(
        offerFrom,
        otherDistrict,
        fc.stringMatching(/^[a-z0-9]{1,8}$/),
        fc.integer({ min: 0, max: 3 }),
        ({ signer, a }, d, f, how) => {
          const n = validatorNode(how === 3 ? 'f1' : undefined)
          const verdict =
            how === 0
              ? n.validate('offer', seal('announcement', { ...a, district: d }, signer))
              : how === 1
                ? n.validate('offer', seal('announcement', { ...a, feeder: f }, signer))
                : how === 2
                  ? n.validate('bid', seal('announcement', a, signer))
                  : // a node of feeder f1 hears an announcement of another feeder on its own topic
                    n.validate('offer', seal('announcement', { ...a, feeder: `x${f}` }, signer))
          expect(verdict).toBe('reject')
          expect(n.book.size.offers + n.book.size.bids).toBe(0)
          expect(Object.keys(n.refused)).toEqual([['wrong-district', 'wrong-feeder', 'malformed', 'wrong-feeder'][how]])
        }
      ),
      A.fuzzParams(200)
    )
  })

  it('a relay digest for the feeder: mutated, forged, replayed or for another feeder is refused and reaches no book', () => {
    const digestFrom = fc
      .record({ d: A.digest, who: fc.integer({ min: 0, max: signers.length - 1 }), life: fc.integer({ min: 1, max: 1e9 }) })
      .map(({ d, who, life }) => ({
        signer: signers[who],
        d: {
          ...d,
          district,
          feeder: 'f1',
          relay: signers[who].publicKey,
          issuedAt: now - 1,
          validUntil: now + life,
          entries: d.entries.map(e => ({ ...e, feeder: 'f2', slot: 1 }))
        }
      }))
    fc.assert(
      fc.property(
        digestFrom,
        fc.array(A.mutation, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        ({ signer, d }, ms, how) => {
          const n = validatorNode('f1')
          const good = seal('digest', d, signer)
          if (how === 0) {
            const bad = A.mutate(good, ms)
            let same = false
            try {
              same = Buffer.from(open(bad, { maxBytes: 1 << 20, kinds: ['digest'] }).body).equals(
                Buffer.from(open(good, { maxBytes: 1 << 20, kinds: ['digest'] }).body)
              )
            } catch {}
            expect(n.validateDigest(bad)).toBe(same ? 'accept' : 'reject')
            if (!same) expect(n.book.forSlot('offer', 1, now)).toEqual([])
            return
          }
          if (how === 1) {
            expect(n.validateDigest(seal('digest', d, signers.find(s => s !== signer)!))).toBe('reject')
            return
          }
          if (how === 2) {
            expect(n.validateDigest(seal('digest', { ...d, feeder: 'f9' }, signer))).toBe('reject')
            return
          }
          expect(n.validateDigest(good)).toBe('accept')
          expect(n.validateDigest(seal('digest', { ...d, entries: [] }, signer))).toBe('ignore')
        }
      ),
      A.fuzzParams(300)
    )
  })

  it(
    "the hub's fields where they belong: bids on the district topic for " +
      "the relay's own feeder, an entry for one buyer on a feeder's topic",
    () => {
      const signer = signers[0]
      const entry = { trader: signers[1].publicKey, feeder: 'f2', slot: 3, energyWh: 100, price: 5, addrs: [] }
      const base = {
        version: 1,
        district,
        relay: signer.publicKey,
        feeder: 'f2',
        seq: 1,
        issuedAt: now - 1,
        validUntil: now + 1_000,
        entries: [entry]
      }
      const relay = validatorNode('f1', true)
      expect(relay.validateDistrictDigest(seal('digest', { ...base, bids: [{ ...entry, trader: signers[2].publicKey }] }, signer))).toBe(
        'accept'
      )
      expect(relay.book.relayedBids(now, 'f1').map(b => b.energyWh)).toEqual([100])
      // another feeder's bids, or an entry for one buyer, on the district topic
      expect(relay.validateDistrictDigest(seal('digest', { ...base, seq: 2, bids: [{ ...entry, feeder: 'f3' }] }, signer))).toBe('reject')
      expect(
        relay.validateDistrictDigest(seal('digest', { ...base, seq: 3, entries: [{ ...entry, buyer: signers[2].publicKey }] }, signer))
      ).toBe('reject')
      expect(
        relay.validateDistrictDigest(seal('digest', { ...base, seq: 4, bids: [{ ...entry, buyer: signers[2].publicKey }] }, signer))
      ).toBe('reject')
      // bids on a feeder's topic; an entry for one buyer there is what the topic is for
      const member = validatorNode('f2')
      expect(member.validateDigest(seal('digest', { ...base, bids: [entry] }, signer))).toBe('reject')
      expect(
        member.validateDigest(seal('digest', { ...base, entries: [{ ...entry, feeder: 'f3', buyer: signers[2].publicKey }] }, signer))
      ).toBe('accept')
      expect(relay.refused).toMatchObject({ malformed: 3 })
    }
  )

  it("a feeder's matched asks only on the district topic, only the relay's own feeder's, naming no buyer", () => {
    const signer = signers[0]
    const entry = { trader: signers[1].publicKey, feeder: 'f2', slot: 3, energyWh: 100, price: 5, addrs: [] }
    const base = {
      version: 1,
      district,
      relay: signer.publicKey,
      feeder: 'f2',
      seq: 1,
      issuedAt: now - 1,
      validUntil: now + 1_000,
      entries: []
    }
    const relay = validatorNode('f1', true)
    expect(relay.validateDistrictDigest(seal('digest', { ...base, matched: [entry] }, signer))).toBe('accept')
    expect(relay.book.relayedMatched(now, 'f1').map(b => [b.feeder, b.energyWh])).toEqual([['f2', 100]])
    expect(relay.book.relayedMatched(now, 'f2')).toEqual([])
    expect(relay.validateDistrictDigest(seal('digest', { ...base, seq: 2, matched: [{ ...entry, feeder: 'f3' }] }, signer))).toBe('reject')
    expect(
      relay.validateDistrictDigest(seal('digest', { ...base, seq: 3, matched: [{ ...entry, buyer: signers[2].publicKey }] }, signer))
    ).toBe('reject')
    const member = validatorNode('f2')
    expect(member.validateDigest(seal('digest', { ...base, entries: [entry], matched: [entry] }, signer))).toBe('reject')
    expect(relay.refused).toMatchObject({ malformed: 2 })
    expect(member.refused).toMatchObject({ malformed: 1 })
  })

  it('zero, negative or unsafe energy, correctly signed by a hostile encoder, is rejected; a double never becomes a fraction', () => {
    const badEnergy = fc.oneof(fc.constant(0n), fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }))
    fc.assert(
      fc.property(offerFrom, badEnergy, ({ signer, a }, e) => {
        const n = validatorNode()
        const w = toWire(a)
        w.offers[0] = { ...w.offers[0], energyWh: e }
        expect(n.validate('offer', sealRaw(wire.Announcement.encode(w), signer))).toBe('reject')
        expect(n.book.size.offers).toBe(0)
      }),
      A.fuzzParams(200)
    )
    // a negative int64 (a ten-byte varint: 2^64 - 1 as uint64) where the offer's energy belongs
    fc.assert(
      fc.property(offerFrom, ({ signer, a }) => {
        const n = validatorNode()
        const body = wire.Announcement.encode({ ...toWire(a), offers: [] })
        const offer = [0x08, 0x01, (2 << 3) | 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        expect(n.validate('offer', sealRaw(new Uint8Array([...body, (7 << 3) | 2, offer.length, ...offer]), signer))).toBe('reject')
        expect(n.book.size.offers).toBe(0)
      }),
      A.fuzzParams(50)
    )
    // a double (wire type 1) where the energy belongs: the wire library (protons) reads a known field
    // whatever its wire type, so the double's bytes are read as a varint and further fields, and the
    // message may pass as some other integer offer (docs/faults.md, not covered). What it may never do
    // is put a fraction, a negative or an unsafe number in the book
    fc.assert(
      fc.property(offerFrom, fc.double({ noNaN: true }), ({ signer, a }, x) => {
        const n = validatorNode()
        const double = new Uint8Array(8)
        new DataView(double.buffer).setFloat64(0, x, true)
        const body = wire.Announcement.encode({ ...toWire(a), offers: [] })
        const offer = [0x08, 0x01, (2 << 3) | 1, ...double]
        n.validate('offer', sealRaw(new Uint8Array([...body, (7 << 3) | 2, offer.length, ...offer]), signer))
        for (const slot of [0, 1, 8]) {
          for (const o of n.book.forSlot('offer', slot, now)) {
            expect(A.numbersAreSafeIntegers({ slot: o.slot, energyWh: o.energyWh, price: o.price })).toBeUndefined()
            expect(o.energyWh).toBeGreaterThan(0)
          }
        }
      }),
      A.fuzzParams(100)
    )
  })
})
