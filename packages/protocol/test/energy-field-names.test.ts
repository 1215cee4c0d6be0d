/**
 * A refusal names the field it refuses, for every checked field of every energy message, in both directions:
 * a peer's log line (and a test) must tell which field of which message was wrong. One valid message of each
 * kind has one field set just out of bounds; the typed encoder refuses it, and so does the decoder when the
 * same bytes come from the generated protobuf encoder, which checks nothing. The decoders also name the kind
 * they could not decode and keep what the protobuf decoder threw as the cause.
 */
import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/kvartal.js'
import {
  codecs,
  decodeTerms,
  decodeTrade,
  encodeTerms,
  MalformedMessageError,
  type MessageKind,
  type MessageOf,
  type TradeTerms
} from '../src/index.ts'

const b = (n: number, fill = 1): Uint8Array<ArrayBuffer> => new Uint8Array(n).fill(fill)
const terms = (): TradeTerms => ({
  version: 1,
  district: 'd',
  negotiation: b(16, 5),
  buyer: b(32, 1),
  seller: b(32, 2),
  slot: 3,
  energyWh: 4,
  price: 5,
  agreedAt: 6,
  buyerFeeder: 'fa',
  sellerFeeder: 'fb',
  gridFee: 7
})
const entry = (trader: number) => ({ trader: b(32, trader), feeder: 'g', slot: 1, energyWh: 2, price: 3, addrs: [], buyer: b(32, 9) })
/** One valid message of each energy kind, every optional field set, every list two long. */
const samples = (): { [K in MessageKind]: MessageOf[K] } => ({
  announcement: {
    version: 1,
    district: 'd',
    trader: b(32, 1),
    seq: 1,
    issuedAt: 10,
    validUntil: 11,
    offers: [
      { slot: 1, energyWh: 1, price: 0 },
      { slot: 2, energyWh: 1, price: 0 }
    ],
    bids: [
      { slot: 1, energyWh: 1, price: 0 },
      { slot: 2, energyWh: 1, price: 0 }
    ],
    addrs: [],
    feeder: 'f'
  },
  proposal: {
    version: 1,
    district: 'd',
    id: b(16),
    buyer: b(32, 1),
    seller: b(32, 2),
    slot: 1,
    energyWh: 2,
    price: 3,
    expiresAt: 4,
    round: 5,
    feeder: 'f'
  },
  accept: { negotiation: b(16), terms: terms(), sellerSignature: b(64), holdUntil: 9 },
  counter: { negotiation: b(16), energyWh: 1, price: 2, expiresAt: 3, round: 4 },
  reject: { negotiation: b(16), code: 'c', detail: 'd' },
  confirm: { tradeId: b(32), terms: terms(), buyerSignature: b(64) },
  committed: { tradeId: b(32) },
  digest: {
    version: 1,
    district: 'd',
    relay: b(32, 1),
    feeder: 'f',
    seq: 1,
    issuedAt: 10,
    validUntil: 11,
    entries: [entry(2), entry(3)],
    bids: [entry(4), entry(5)]
  }
})
const wireCodecs: { [K in MessageKind]: { encode(m: any): Uint8Array; decode(b: Uint8Array): any } } = {
  announcement: wire.Announcement,
  proposal: wire.Proposal,
  accept: wire.Accept,
  counter: wire.Counter,
  reject: wire.Reject,
  confirm: wire.Confirm,
  committed: wire.Committed,
  digest: wire.Digest
}

/** `obj` (deep-copied) with `path` (`terms.slot`, `entries[1].trader`) set to `value`. */
function withField<T>(obj: T, path: string, value: unknown): T {
  const copy = structuredClone(obj) as any
  const steps = path.split(/[.[\]]+/).filter(s => s !== '')
  let at = copy
  for (const s of steps.slice(0, -1)) at = at[s]
  expect(steps.at(-1)! in at, `${path} is a field`).toBe(true)
  at[steps.at(-1)!] = value
  return copy
}
const escapeRe = (s: string): string => s.replace(/[.[\]]/g, '\\$&')
const named = (path: string): unknown =>
  expect.objectContaining({ name: 'MalformedMessageError', code: 'malformed', message: expect.stringMatching(`^${escapeRe(path)} `) })

/** What is just out of bounds for a field of each sort, on the typed side and on the wire. */
const bad = {
  // 0.5: a positive energy that is no integer passes the check that energy is positive and fails the integer check
  u64: { typed: 0.5, wire: 2n ** 53n },
  u32: { typed: 2 ** 32, wire: undefined },
  key: { typed: b(31), wire: b(33) },
  nonce: { typed: b(15), wire: b(17) },
  hash: { typed: b(31), wire: b(33) },
  sig: { typed: b(63), wire: b(65) },
  feeder: { typed: 'F', wire: 'F' },
  code: { typed: 'c'.repeat(65), wire: 'c'.repeat(65) },
  detail: { typed: 'd'.repeat(513), wire: 'd'.repeat(513) }
} as const
type Sort = keyof typeof bad

const order = (list: string): Array<[string, Sort]> => [
  [`${list}[1].slot`, 'u64'],
  [`${list}[1].energyWh`, 'u64'],
  [`${list}[1].price`, 'u64']
]
const termFields = (at: string): Array<[string, Sort]> => [
  [`${at}.negotiation`, 'nonce'],
  [`${at}.buyer`, 'key'],
  [`${at}.seller`, 'key'],
  [`${at}.slot`, 'u64'],
  [`${at}.energyWh`, 'u64'],
  [`${at}.price`, 'u64'],
  [`${at}.agreedAt`, 'u64'],
  [`${at}.buyerFeeder`, 'feeder'],
  [`${at}.sellerFeeder`, 'feeder'],
  [`${at}.gridFee`, 'u64']
]
const digestEntry = (list: string): Array<[string, Sort]> => [
  [`${list}[1].trader`, 'key'],
  [`${list}[1].feeder`, 'feeder'],
  ...order(list),
  [`${list}[1].buyer`, 'key']
]
const fields: { [K in MessageKind]: Array<[string, Sort]> } = {
  announcement: [
    ['trader', 'key'],
    ['seq', 'u64'],
    ['issuedAt', 'u64'],
    ['validUntil', 'u64'],
    ['feeder', 'feeder'],
    ...order('offers'),
    ...order('bids')
  ],
  proposal: [
    ['id', 'nonce'],
    ['buyer', 'key'],
    ['seller', 'key'],
    ['slot', 'u64'],
    ['energyWh', 'u64'],
    ['price', 'u64'],
    ['expiresAt', 'u64'],
    ['round', 'u32'],
    ['feeder', 'feeder']
  ],
  accept: [['negotiation', 'nonce'], ...termFields('terms'), ['sellerSignature', 'sig'], ['holdUntil', 'u64']],
  counter: [
    ['negotiation', 'nonce'],
    ['energyWh', 'u64'],
    ['price', 'u64'],
    ['expiresAt', 'u64'],
    ['round', 'u32']
  ],
  reject: [
    ['negotiation', 'nonce'],
    ['code', 'code'],
    ['detail', 'detail']
  ],
  confirm: [['tradeId', 'hash'], ...termFields('terms'), ['buyerSignature', 'sig']],
  committed: [['tradeId', 'hash']],
  digest: [
    ['relay', 'key'],
    ['feeder', 'feeder'],
    ['seq', 'u64'],
    ['issuedAt', 'u64'],
    ['validUntil', 'u64'],
    ...digestEntry('entries'),
    ...digestEntry('bids')
  ]
}

describe('an energy codec refusing a field names it', () => {
  it('every sample is valid both ways, so that each refusal below is the one field', () => {
    const s = samples()
    for (const kind of Object.keys(s) as MessageKind[]) {
      expect(codecs[kind].decode(codecs[kind].encode(s[kind] as never)), kind).toEqual(s[kind])
      expect(codecs[kind].decode(wireCodecs[kind].encode(wireCodecs[kind].decode(codecs[kind].encode(s[kind] as never)))), kind).toEqual(
        s[kind]
      )
    }
  })

  for (const kind of Object.keys(fields) as MessageKind[])
    it(`${kind}: the encoder and the decoder`, () => {
      const valid = samples()[kind]
      const onWire = wireCodecs[kind].decode(codecs[kind].encode(valid as never))
      for (const [path, sort] of fields[kind]) {
        expect(() => codecs[kind].encode(withField(valid, path, bad[sort].typed) as never), `encode ${kind} ${path}`).toThrow(named(path))
        // a uint32 on the wire cannot be out of bounds
        if (bad[sort].wire === undefined) continue
        const bytes = wireCodecs[kind].encode(withField(onWire, path, bad[sort].wire))
        expect(() => codecs[kind].decode(bytes), `decode ${kind} ${path}`).toThrow(named(path))
      }
    })

  it('trade terms on their own, and a trade, the same', () => {
    const onWire = wire.TradeTerms.decode(encodeTerms(terms()))
    for (const [path, sort] of termFields('terms')) {
      const field = path.slice('terms.'.length)
      expect(() => encodeTerms(withField(terms(), field, bad[sort].typed)), `encode ${path}`).toThrow(named(path))
      expect(() => decodeTerms(wire.TradeTerms.encode(withField(onWire, field, bad[sort].wire))), `decode ${path}`).toThrow(named(path))
      expect(
        () =>
          decodeTrade(
            wire.Trade.encode({ terms: withField(onWire, field, bad[sort].wire), buyerSignature: b(64), sellerSignature: b(64) })
          ),
        `decode trade ${path}`
      ).toThrow(named(path))
    }
  })
})

describe('a decoder that cannot read the bytes', () => {
  const truncated = new Uint8Array([0x0a, 0x05, 0x01])
  const caught = (fn: () => unknown): MalformedMessageError => {
    try {
      fn()
    } catch (err) {
      return err as MalformedMessageError
    }
    throw new Error('expected a refusal')
  }
  it('names the kind of message and keeps the protobuf error as the cause', () => {
    const decoders: Array<[string, (b: Uint8Array) => unknown]> = [
      ...(Object.keys(codecs) as MessageKind[]).map(k => [k, codecs[k].decode] as [string, (b: Uint8Array) => unknown]),
      ['trade terms', decodeTerms],
      ['trade', decodeTrade]
    ]
    for (const [what, decode] of decoders) {
      const err = caught(() => decode(truncated))
      expect(err, what).toBeInstanceOf(MalformedMessageError)
      expect(err.message, what).toMatch(new RegExp(`^cannot decode ${what}: .+`))
      expect(err.cause, what).toBeInstanceOf(Error)
      expect(err.message, what).toBe(`cannot decode ${what}: ${(err.cause as Error).message}`)
    }
  })
})

describe('what a refusal quotes of a hostile value', () => {
  it("is at most 80 characters of a district's or a feeder's name", () => {
    const s = samples()
    expect(() => codecs.proposal.encode({ ...s.proposal, district: 'D'.repeat(100) })).toThrow(
      expect.objectContaining({ code: 'malformed', message: `district "${'D'.repeat(80)}" is not a valid district name` })
    )
    const onWire = wire.Digest.decode(codecs.digest.encode(s.digest))
    expect(() => codecs.digest.decode(wire.Digest.encode({ ...onWire, feeder: 'F'.repeat(100) }))).toThrow(
      expect.objectContaining({ code: 'malformed', message: `feeder "${'F'.repeat(80)}" is not a valid feeder name` })
    )
  })
})
