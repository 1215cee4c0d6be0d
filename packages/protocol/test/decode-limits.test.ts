/**
 * A list on the wire longer than its bound is refused by the generated protobuf decoder itself, which stops
 * reading at the bound (the codecs pass it their limits), so that a hostile message never makes a node build the
 * whole list first: the refusal is a MalformedMessageError whose cause is protons' MaxLengthError. (The checks
 * after decoding refuse the same lists too, for what the protobuf limits cannot say: offers and bids together,
 * an address's length.)
 */
import { describe, expect, it } from 'vitest'
import * as energyWire from '../src/gen/kvartal.js'
import * as mobilityWire from '../src/gen/mobility.js'
import { codecs, limits, mobilityCodecs, mobilityLimits } from '../src/index.ts'
import { mobilitySamples } from '../testing/mobility-samples.ts'

const b = (n: number, fill = 1): Uint8Array<ArrayBuffer> => new Uint8Array(n).fill(fill)
const times = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x)
const stoppedAt = (what: string, decode: () => unknown): void => {
  let err: (Error & { code?: string }) | undefined
  try {
    decode()
  } catch (e) {
    err = e as Error & { code?: string }
  }
  expect(err, what).toMatchObject({ name: 'MalformedMessageError', code: 'malformed' })
  expect(err?.cause, what).toMatchObject({ name: 'MaxLengthError' })
}

describe('the protobuf decoder stops at a list bound', () => {
  it('announcements: offers, bids and addresses', () => {
    const order = { slot: 1n, energyWh: 1n, price: 1n }
    const a = (over: Partial<energyWire.Announcement>): Uint8Array =>
      energyWire.Announcement.encode({
        version: 1,
        district: 'd',
        trader: b(32),
        seq: 1n,
        issuedAt: 1n,
        validUntil: 2n,
        offers: [],
        bids: [],
        addrs: [],
        feeder: '',
        ...over
      })
    const n = limits.maxOrdersPerAnnouncement + 1
    stoppedAt('offers', () => codecs.announcement.decode(a({ offers: times(n, order) })))
    stoppedAt('bids', () => codecs.announcement.decode(a({ bids: times(n, order) })))
    stoppedAt('addrs', () => codecs.announcement.decode(a({ addrs: times(limits.maxAddrs + 1, b(4)) })))
  })

  it("digests: entries, bids, each one's addresses and the relay's", () => {
    const entry = (addrs: number): energyWire.DigestEntry => ({
      trader: b(32),
      feeder: 'g',
      slot: 0n,
      energyWh: 1n,
      price: 0n,
      addrs: times(addrs, b(4)),
      buyer: b(0)
    })
    const d = (over: Partial<energyWire.Digest>): Uint8Array =>
      energyWire.Digest.encode({
        version: 1,
        district: 'd',
        relay: b(32),
        feeder: 'f',
        seq: 1n,
        issuedAt: 1n,
        validUntil: 2n,
        entries: [],
        ...over
      })
    const n = limits.maxDigestEntries + 1
    const addrs = limits.maxDigestAddrs + 1
    stoppedAt('entries', () => codecs.digest.decode(d({ entries: times(n, entry(0)) })))
    stoppedAt('bids', () => codecs.digest.decode(d({ bids: times(n, entry(0)) })))
    stoppedAt('entries[0].addrs', () => codecs.digest.decode(d({ entries: [entry(addrs)] })))
    stoppedAt('bids[0].addrs', () => codecs.digest.decode(d({ bids: [entry(addrs)] })))
    stoppedAt('relayAddrs', () => codecs.digest.decode(d({ relayAddrs: times(addrs, b(4)) })))
  })

  it("mobility: an offer's zones and addresses, a request's modes and needs, a quote's legs", () => {
    const s = mobilitySamples({ traveller: b(32, 1), provider: b(32, 2) })
    const offer = (over: object): Uint8Array => mobilityWire.ServiceOffer.encode({ ...s['service-offer'], ...over } as never)
    const request = (over: object): Uint8Array => mobilityWire.QuoteRequest.encode({ ...s['quote-request'], ...over } as never)
    stoppedAt('zones', () => mobilityCodecs['service-offer'].decode(offer({ zones: times(mobilityLimits.maxZones + 1, 'z') })))
    stoppedAt('addrs', () => mobilityCodecs['service-offer'].decode(offer({ addrs: times(mobilityLimits.maxAddrs + 1, b(4)) })))
    stoppedAt('modes', () => mobilityCodecs['quote-request'].decode(request({ modes: times(mobilityLimits.maxModes + 1, 'BUS') })))
    stoppedAt('accessibility', () => mobilityCodecs['quote-request'].decode(request({ accessibility: times(9, 'x') })))
    const legs = times(mobilityLimits.maxLegsPerQuote + 1, s.quote.legs[0])
    stoppedAt('legs', () => mobilityCodecs.quote.decode(mobilityWire.Quote.encode({ ...s.quote, legs } as never)))
  })
})
