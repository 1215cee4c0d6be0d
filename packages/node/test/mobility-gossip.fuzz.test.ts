/**
 * Property tests of the mobility topic's gossip validator (mesh/src/mobility-gossip.ts) as a node
 * installs it, over a real ServiceBook: a provider's signed service offer is accepted once; a mutated
 * envelope is rejected unless what was signed is untouched; an offer signed by another key or for
 * another district is rejected; a replayed, older or expired offer is ignored (neither forwarded nor
 * punished) and leaves the book as it was; garbage is rejected; every refusal is a typed ProtocolError
 * (never the wrapper of an unexpected exception).
 * Seeded (protocol/testing/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs them at nightly size.
 */
import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import {
  MOBILITY_MODES,
  NO_CANCELLATION_FEE,
  NO_PRICING,
  type ProtocolError,
  mobilityTopic,
  open,
  seal,
  signerFromSeed,
  type ServiceOffer,
  type Signer
} from '@kvartal/protocol'
import { identityFromSeed, mobilityGossip } from '@kvartal/mesh'
import { ServiceBook } from '../src/index.ts'
import { fuzzParams, mutate, mutation } from '@kvartal/protocol/testing'

const district = 'test'
const now = 1_750_000_000_000
const from = (await identityFromSeed(new Uint8Array(32).fill(40))).peerId
const providers: Signer[] = [1, 2, 3].map(n => signerFromSeed(new Uint8Array(32).fill(n)))

type Verdict = 'accept' | 'ignore' | 'reject'

/** the validator on the district's mobility topic, accepting into a fresh ServiceBook as mobility-runtime.ts wires it */
function validatorNode(): { validate(data: Uint8Array): Verdict; book: ServiceBook; refused: ProtocolError[] } {
  const validators = new Map<string, (from: unknown, msg: { data: Uint8Array; topic: string }) => Verdict>()
  const pubsub = { topicValidators: validators, subscribe() {}, unsubscribe() {}, async publish() {} }
  const book = new ServiceBook()
  const refused: ProtocolError[] = []
  mobilityGossip(pubsub as never, {
    district,
    accept: opened => {
      book.admit(opened.message, now)
    },
    refused: e => {
      refused.push(e)
    }
  }).start()
  const topic = mobilityTopic(district)
  return { book, refused, validate: data => validators.get(topic)!(from, { data, topic }) }
}

const offerArb = fc
  .record({
    who: fc.nat({ max: providers.length - 1 }),
    seq: fc.integer({ min: 1, max: 1_000_000 }),
    life: fc.integer({ min: 1, max: 3_600_000 }),
    mode: fc.constantFrom(...MOBILITY_MODES),
    assetId: fc.stringMatching(/^[a-z0-9-]{0,16}$/),
    agencyId: fc.stringMatching(/^[a-z]{0,8}$/),
    zones: fc.array(fc.stringMatching(/^[0-9b-hjkmnp-z]{5,7}$/), { maxLength: 4 }),
    capacity: fc.integer({ min: 0, max: 60 }),
    socWh: fc.nat({ max: 100_000 }),
    latE6: fc.integer({ min: -90_000_000, max: 90_000_000 }),
    lonE6: fc.integer({ min: -180_000_000, max: 180_000_000 })
  })
  .map(({ who, life, ...o }): { signer: Signer; offer: ServiceOffer } => ({
    signer: providers[who],
    offer: {
      version: 1,
      district,
      provider: providers[who].publicKey,
      issuedAt: now - 1,
      validUntil: now + life,
      availableFrom: now,
      availableUntil: now + life,
      rangeM: 0,
      pricing: NO_PRICING,
      cancellation: NO_CANCELLATION_FEE,
      co2GPerKm: 0,
      addrs: [new Uint8Array([4, 127, 0, 0, 1])],
      ...o
    }
  }))

/** no refusal came from an exception the validator did not expect (mobility-gossip wraps those as "validator failed") */
const typed = (refused: ProtocolError[]): void => {
  for (const e of refused) expect(e.message).not.toMatch(/^validator failed/)
}

describe('mobility gossip validator on hostile envelopes', () => {
  test.prop([offerArb], fuzzParams(100, 20))("a provider's own signed offer is accepted into the book", ({ signer, offer }) => {
    const n = validatorNode()
    expect(n.validate(seal('service-offer', offer, signer))).toBe('accept')
    expect(n.book.size).toBe(1)
  })

  test.prop([offerArb, fc.array(mutation, { minLength: 1, maxLength: 3 })], fuzzParams(300, 20))(
    'a mutated envelope is rejected unless what was signed is untouched; nothing changed reaches the book',
    ({ signer, offer }, ms) => {
      const good = seal('service-offer', offer, signer)
      const bad = mutate(good, ms)
      const n = validatorNode()
      const verdict = n.validate(bad)
      let same = false
      try {
        same = Buffer.from(open(bad, { maxBytes: 1 << 20, kinds: ['service-offer'] }).body).equals(
          Buffer.from(open(good, { maxBytes: 1 << 20, kinds: ['service-offer'] }).body)
        )
      } catch {}
      if (same) expect(verdict).toBe('accept')
      else {
        expect(verdict).toBe('reject')
        expect(n.book.size).toBe(0)
      }
      typed(n.refused)
    }
  )

  test.prop([offerArb, fc.integer({ min: 0, max: 3 }), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/)], fuzzParams(150, 20))(
    'an offer signed by another key, naming another provider, or of another district is rejected',
    ({ signer, offer }, how, d) => {
      const n = validatorNode()
      const other = providers.find(p => p !== signer)!
      const env =
        how === 0
          ? seal('service-offer', offer, other)
          : how === 1
            ? seal('service-offer', { ...offer, provider: other.publicKey }, signer)
            : seal('service-offer', { ...offer, district: d === district ? `${d}x` : d }, signer)
      expect(n.validate(env)).toBe('reject')
      expect(n.book.size).toBe(0)
      typed(n.refused)
    }
  )

  test.prop([offerArb, fc.nat(), fc.integer({ min: 0, max: 2 })], fuzzParams(150, 20))(
    'a replayed, older or expired offer is ignored and changes nothing',
    ({ signer, offer }, back, how) => {
      const n = validatorNode()
      if (how === 2) {
        // expired: issued and valid before now, signed correctly
        const expired = { ...offer, issuedAt: now - 2_000, validUntil: now - 1 - (back % 1_000) }
        expect(n.validate(seal('service-offer', expired, signer))).toBe('ignore')
        expect(n.book.size).toBe(0)
      } else {
        expect(n.validate(seal('service-offer', offer, signer))).toBe('accept')
        const before = n.book
          .vehicles(now)
          .concat(n.book.claimants(offer.agencyId, now))
          .map(e => e.offer)
        const seq = how === 0 ? offer.seq : Math.max(1, offer.seq - 1 - (back % offer.seq))
        expect(n.validate(seal('service-offer', { ...offer, seq, capacity: offer.capacity + 1 }, signer))).toBe('ignore')
        expect(
          n.book
            .vehicles(now)
            .concat(n.book.claimants(offer.agencyId, now))
            .map(e => e.offer)
        ).toEqual(before)
      }
      expect(n.refused.map(e => e.action)).toEqual(['ignore'])
      typed(n.refused)
    }
  )

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 3_000, size: 'max' }))], fuzzParams(300))(
    'garbage is rejected with a typed error',
    bytes => {
      const n = validatorNode()
      expect(n.validate(bytes)).toBe('reject')
      expect(n.book.size).toBe(0)
      typed(n.refused)
    }
  )
})
