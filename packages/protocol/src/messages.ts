import { createHash } from 'node:crypto'
import * as wire from './gen/kvartal.js'
import { MalformedMessageError, UnsupportedVersionError } from './errors.ts'
import { DISTRICT_PATTERN, WIRE_VERSION, limits } from './topics.ts'
import { toHex } from './keys.ts'

/** One slot's sell offer or buy bid: up to `energyWh` at `price` nanos/kWh (a floor for sellers, a cap for buyers). */
export interface Order {
  readonly slot: number
  readonly energyWh: number
  readonly price: number
}

export interface Announcement {
  readonly version: number
  readonly district: string
  readonly trader: Uint8Array
  readonly seq: number
  readonly issuedAt: number
  readonly validUntil: number
  readonly offers: readonly Order[]
  readonly bids: readonly Order[]
  /** binary multiaddrs where the trader accepts negotiation streams (at most 8) */
  readonly addrs: readonly Uint8Array[]
  /** the low-voltage feeder the trader sits on; absent: the district is one feeder */
  readonly feeder?: string
}

/** One residual offer in a relay's digest: where to find a seller of another feeder, not a promise. */
export interface DigestEntry {
  readonly trader: Uint8Array
  readonly feeder: string
  readonly slot: number
  readonly energyWh: number
  readonly price: number
  readonly addrs: readonly Uint8Array[]
  /** on a feeder's digest topic: the one buyer of that feeder this entry is for (the hub's allocation); absent: any */
  readonly buyer?: Uint8Array
}

/**
 * A feeder relay's digest: its own feeder's residual offers (on the district's digest topic, which only
 * relays read), or the best residual offers of other feeders (on its feeder's digest topic).
 */
export interface Digest {
  readonly version: number
  readonly district: string
  readonly relay: Uint8Array
  readonly feeder: string
  readonly seq: number
  readonly issuedAt: number
  readonly validUntil: number
  readonly entries: readonly DigestEntry[]
  /** on the district's digest topic: its feeder's residual bids (`trader` is the buyer), for the hub's allocation */
  readonly bids?: readonly DigestEntry[]
}

export interface Proposal {
  readonly version: number
  readonly district: string
  readonly id: Uint8Array
  readonly buyer: Uint8Array
  readonly seller: Uint8Array
  readonly slot: number
  readonly energyWh: number
  readonly price: number
  readonly expiresAt: number
  readonly round: number
  /** the buyer's feeder; absent: the district is one feeder */
  readonly feeder?: string
}

export interface TradeTerms {
  readonly version: number
  readonly district: string
  readonly negotiation: Uint8Array
  readonly buyer: Uint8Array
  readonly seller: Uint8Array
  readonly slot: number
  readonly energyWh: number
  readonly price: number
  readonly agreedAt: number
  /** the feeders of both parties (absent: the district is one feeder) */
  readonly buyerFeeder?: string
  readonly sellerFeeder?: string
  /** nanos per kWh the buyer pays the grid operator on top of `price` (absent: 0) */
  readonly gridFee?: number
}

export interface Accept {
  readonly negotiation: Uint8Array
  readonly terms: TradeTerms
  readonly sellerSignature: Uint8Array
  readonly holdUntil: number
}
export interface Counter {
  readonly negotiation: Uint8Array
  readonly energyWh: number
  readonly price: number
  readonly expiresAt: number
  readonly round: number
}
export interface Reject {
  readonly negotiation: Uint8Array
  readonly code: string
  readonly detail: string
}
export interface Confirm {
  readonly tradeId: Uint8Array
  readonly terms: TradeTerms
  readonly buyerSignature: Uint8Array
}
export interface Committed {
  readonly tradeId: Uint8Array
}

/** A trade exists only with both signatures over the same terms. */
export interface Trade {
  /** hex sha256 of the encoded terms */
  readonly id: string
  readonly terms: TradeTerms
  readonly buyerSignature: Uint8Array
  readonly sellerSignature: Uint8Array
}

export const MessageKind = {
  announcement: 'announcement',
  proposal: 'proposal',
  accept: 'accept',
  counter: 'counter',
  reject: 'reject',
  confirm: 'confirm',
  committed: 'committed',
  digest: 'digest'
} as const
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind]

export interface MessageOf {
  announcement: Announcement
  proposal: Proposal
  accept: Accept
  counter: Counter
  reject: Reject
  confirm: Confirm
  committed: Committed
  digest: Digest
}

// ---- number <-> uint64 at the boundary: inside, every quantity is a safe integer ----

function u64(v: number, field: string): bigint {
  if (!Number.isSafeInteger(v) || v < 0) throw new MalformedMessageError(`${field} must be a non-negative integer, got ${v}`)
  return BigInt(v)
}
/** a uint32 field on the wire: a larger value would be cut to its low 32 bits, and signed as such */
function u32(v: number, field: string): number {
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffff_ffff)
    throw new MalformedMessageError(`${field} must be an integer from 0 to 4294967295, got ${v}`)
  return v
}
function num(v: bigint, field: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedMessageError(`${field} is out of range`)
  return Number(v)
}
function key(v: Uint8Array, field: string): Uint8Array {
  if (v.length !== 32) throw new MalformedMessageError(`${field} must be a 32-byte Ed25519 public key, got ${v.length} bytes`)
  return v
}
function nonce(v: Uint8Array, field: string): Uint8Array {
  if (v.length !== 16) throw new MalformedMessageError(`${field} must be 16 bytes, got ${v.length}`)
  return v
}
function hash32(v: Uint8Array, field: string): Uint8Array {
  if (v.length !== 32) throw new MalformedMessageError(`${field} must be 32 bytes, got ${v.length}`)
  return v
}
function sig(v: Uint8Array, field: string): Uint8Array {
  if (v.length !== 64) throw new MalformedMessageError(`${field} must be a 64-byte Ed25519 signature, got ${v.length} bytes`)
  return v
}
function version(v: number): number {
  if (v !== WIRE_VERSION) throw new UnsupportedVersionError(v)
  return v
}
function district(v: string): string {
  if (!DISTRICT_PATTERN.test(v)) throw new MalformedMessageError(`district "${v.slice(0, 80)}" is not a valid district name`)
  return v
}
function text(v: string, field: string, max: number): string {
  if (v.length > max) throw new MalformedMessageError(`${field} is longer than ${max} characters`)
  return v
}
/** A feeder's name: as a district's, lower-case letters, digits and dashes; empty means none. */
export const FEEDER_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/
function feederName(v: string, field: string): string {
  if (v !== '' && !FEEDER_PATTERN.test(v)) throw new MalformedMessageError(`${field} "${v.slice(0, 80)}" is not a valid feeder name`)
  return v
}
const optionalFeeder = (v: string, field: string): string | undefined => (feederName(v, field) === '' ? undefined : v)

function decodeWith<T>(what: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof MalformedMessageError || err instanceof UnsupportedVersionError) throw err
    throw new MalformedMessageError(`cannot decode ${what}: ${(err as Error).message}`, { cause: err })
  }
}

function orderToWire(o: Order, field: string): wire.Offer {
  if (o.energyWh <= 0) throw new MalformedMessageError(`${field}.energyWh must be positive`)
  return { slot: u64(o.slot, `${field}.slot`), energyWh: u64(o.energyWh, `${field}.energyWh`), price: u64(o.price, `${field}.price`) }
}
function orderFromWire(o: wire.Offer, field: string): Order {
  const energyWh = num(o.energyWh, `${field}.energyWh`)
  if (energyWh <= 0) throw new MalformedMessageError(`${field}.energyWh must be positive`)
  return { slot: num(o.slot, `${field}.slot`), energyWh, price: num(o.price, `${field}.price`) }
}

// ---- per kind ----

function termsToWire(t: TradeTerms): wire.TradeTerms {
  return {
    version: t.version,
    district: t.district,
    negotiation: nonce(t.negotiation, 'terms.negotiation') as Uint8Array<ArrayBuffer>,
    buyer: key(t.buyer, 'terms.buyer') as Uint8Array<ArrayBuffer>,
    seller: key(t.seller, 'terms.seller') as Uint8Array<ArrayBuffer>,
    slot: u64(t.slot, 'terms.slot'),
    energyWh: u64(t.energyWh, 'terms.energyWh'),
    price: u64(t.price, 'terms.price'),
    agreedAt: u64(t.agreedAt, 'terms.agreedAt'),
    buyerFeeder: feederName(t.buyerFeeder ?? '', 'terms.buyerFeeder'),
    sellerFeeder: feederName(t.sellerFeeder ?? '', 'terms.sellerFeeder'),
    gridFee: u64(t.gridFee ?? 0, 'terms.gridFee')
  }
}
function termsFromWire(t: wire.TradeTerms | undefined): TradeTerms {
  if (t == null) throw new MalformedMessageError('terms are missing')
  const terms = {
    version: version(t.version),
    district: district(t.district),
    negotiation: nonce(t.negotiation, 'terms.negotiation'),
    buyer: key(t.buyer, 'terms.buyer'),
    seller: key(t.seller, 'terms.seller'),
    slot: num(t.slot, 'terms.slot'),
    energyWh: num(t.energyWh, 'terms.energyWh'),
    price: num(t.price, 'terms.price'),
    agreedAt: num(t.agreedAt, 'terms.agreedAt'),
    ...(t.buyerFeeder !== '' ? { buyerFeeder: feederName(t.buyerFeeder, 'terms.buyerFeeder') } : {}),
    ...(t.sellerFeeder !== '' ? { sellerFeeder: feederName(t.sellerFeeder, 'terms.sellerFeeder') } : {}),
    ...(t.gridFee !== 0n ? { gridFee: num(t.gridFee, 'terms.gridFee') } : {})
  }
  if (terms.energyWh <= 0) throw new MalformedMessageError('terms.energyWh must be positive')
  return terms
}

export function encodeTerms(t: TradeTerms): Uint8Array {
  return wire.TradeTerms.encode(termsToWire(t))
}
export function decodeTerms(bytes: Uint8Array): TradeTerms {
  return decodeWith('trade terms', () => termsFromWire(wire.TradeTerms.decode(bytes)))
}

/** A trade's id: hex sha256 of its encoded terms. The same terms always give the same id. */
export function tradeId(t: TradeTerms): string {
  return createHash('sha256').update(encodeTerms(t)).digest('hex')
}
export function tradeIdBytes(t: TradeTerms): Uint8Array {
  return new Uint8Array(createHash('sha256').update(encodeTerms(t)).digest())
}

export function encodeTrade(t: Trade): Uint8Array {
  return wire.Trade.encode({
    terms: termsToWire(t.terms),
    buyerSignature: t.buyerSignature as Uint8Array<ArrayBuffer>,
    sellerSignature: t.sellerSignature as Uint8Array<ArrayBuffer>
  })
}
export function decodeTrade(bytes: Uint8Array): Trade {
  return decodeWith('trade', () => {
    const w = wire.Trade.decode(bytes)
    const terms = termsFromWire(w.terms)
    return {
      id: tradeId(terms),
      terms,
      buyerSignature: sig(w.buyerSignature, 'buyerSignature'),
      sellerSignature: sig(w.sellerSignature, 'sellerSignature')
    }
  })
}

type Codec<T> = { encode: (m: T) => Uint8Array; decode: (b: Uint8Array) => T }

export const codecs: { [K in MessageKind]: Codec<MessageOf[K]> } = {
  announcement: {
    encode: a => {
      if (a.offers.length + a.bids.length > limits.maxOrdersPerAnnouncement)
        throw new MalformedMessageError(`an announcement holds at most ${limits.maxOrdersPerAnnouncement} orders`)
      return wire.Announcement.encode({
        version: a.version,
        district: district(a.district),
        trader: key(a.trader, 'trader') as Uint8Array<ArrayBuffer>,
        seq: u64(a.seq, 'seq'),
        issuedAt: u64(a.issuedAt, 'issuedAt'),
        validUntil: u64(a.validUntil, 'validUntil'),
        offers: a.offers.map((o, i) => orderToWire(o, `offers[${i}]`)),
        bids: a.bids.map((o, i) => orderToWire(o, `bids[${i}]`)),
        addrs: a.addrs.slice(0, limits.maxAddrs) as Array<Uint8Array<ArrayBuffer>>,
        feeder: feederName(a.feeder ?? '', 'feeder')
      })
    },
    decode: b =>
      decodeWith('announcement', () => {
        const w = wire.Announcement.decode(b, {
          limits: { offers: limits.maxOrdersPerAnnouncement, bids: limits.maxOrdersPerAnnouncement, addrs: limits.maxAddrs }
        })
        if (w.offers.length + w.bids.length > limits.maxOrdersPerAnnouncement)
          throw new MalformedMessageError(`an announcement holds at most ${limits.maxOrdersPerAnnouncement} orders`)
        const a: Announcement = {
          version: version(w.version),
          district: district(w.district),
          trader: key(w.trader, 'trader'),
          seq: num(w.seq, 'seq'),
          issuedAt: num(w.issuedAt, 'issuedAt'),
          validUntil: num(w.validUntil, 'validUntil'),
          offers: w.offers.map((o, i) => orderFromWire(o, `offers[${i}]`)),
          bids: w.bids.map((o, i) => orderFromWire(o, `bids[${i}]`)),
          addrs: w.addrs,
          ...(optionalFeeder(w.feeder, 'feeder') != null ? { feeder: w.feeder } : {})
        }
        if (a.addrs.length > limits.maxAddrs || a.addrs.some(x => x.length > 256))
          throw new MalformedMessageError(`an announcement lists at most ${limits.maxAddrs} addresses of at most 256 bytes`)
        if (a.seq === 0) throw new MalformedMessageError('seq must start at 1')
        if (a.validUntil <= a.issuedAt) throw new MalformedMessageError('validUntil must be after issuedAt')
        return a
      })
  },
  proposal: {
    encode: p =>
      wire.Proposal.encode({
        version: p.version,
        district: district(p.district),
        id: nonce(p.id, 'id') as Uint8Array<ArrayBuffer>,
        buyer: key(p.buyer, 'buyer') as Uint8Array<ArrayBuffer>,
        seller: key(p.seller, 'seller') as Uint8Array<ArrayBuffer>,
        slot: u64(p.slot, 'slot'),
        energyWh: u64(p.energyWh, 'energyWh'),
        price: u64(p.price, 'price'),
        expiresAt: u64(p.expiresAt, 'expiresAt'),
        round: u32(p.round, 'round'),
        feeder: feederName(p.feeder ?? '', 'feeder')
      }),
    decode: b =>
      decodeWith('proposal', () => {
        const w = wire.Proposal.decode(b)
        const p: Proposal = {
          version: version(w.version),
          district: district(w.district),
          id: nonce(w.id, 'id'),
          buyer: key(w.buyer, 'buyer'),
          seller: key(w.seller, 'seller'),
          slot: num(w.slot, 'slot'),
          energyWh: num(w.energyWh, 'energyWh'),
          price: num(w.price, 'price'),
          expiresAt: num(w.expiresAt, 'expiresAt'),
          round: w.round,
          ...(optionalFeeder(w.feeder, 'feeder') != null ? { feeder: w.feeder } : {})
        }
        if (p.energyWh <= 0) throw new MalformedMessageError('energyWh must be positive')
        return p
      })
  },
  accept: {
    encode: a =>
      wire.Accept.encode({
        negotiation: nonce(a.negotiation, 'negotiation') as Uint8Array<ArrayBuffer>,
        terms: termsToWire(a.terms),
        sellerSignature: sig(a.sellerSignature, 'sellerSignature') as Uint8Array<ArrayBuffer>,
        holdUntil: u64(a.holdUntil, 'holdUntil')
      }),
    decode: b =>
      decodeWith('accept', () => {
        const w = wire.Accept.decode(b)
        return {
          negotiation: nonce(w.negotiation, 'negotiation'),
          terms: termsFromWire(w.terms),
          sellerSignature: sig(w.sellerSignature, 'sellerSignature'),
          holdUntil: num(w.holdUntil, 'holdUntil')
        }
      })
  },
  counter: {
    encode: c =>
      wire.Counter.encode({
        negotiation: nonce(c.negotiation, 'negotiation') as Uint8Array<ArrayBuffer>,
        energyWh: u64(c.energyWh, 'energyWh'),
        price: u64(c.price, 'price'),
        expiresAt: u64(c.expiresAt, 'expiresAt'),
        round: u32(c.round, 'round')
      }),
    decode: b =>
      decodeWith('counter', () => {
        const w = wire.Counter.decode(b)
        const c = {
          negotiation: nonce(w.negotiation, 'negotiation'),
          energyWh: num(w.energyWh, 'energyWh'),
          price: num(w.price, 'price'),
          expiresAt: num(w.expiresAt, 'expiresAt'),
          round: w.round
        }
        if (c.energyWh <= 0) throw new MalformedMessageError('energyWh must be positive')
        return c
      })
  },
  reject: {
    encode: r =>
      wire.Reject.encode({
        negotiation: nonce(r.negotiation, 'negotiation') as Uint8Array<ArrayBuffer>,
        code: text(r.code, 'code', 64),
        detail: text(r.detail, 'detail', 512)
      }),
    decode: b =>
      decodeWith('reject', () => {
        const w = wire.Reject.decode(b)
        return { negotiation: nonce(w.negotiation, 'negotiation'), code: text(w.code, 'code', 64), detail: text(w.detail, 'detail', 512) }
      })
  },
  confirm: {
    encode: c =>
      wire.Confirm.encode({
        tradeId: hash32(c.tradeId, 'tradeId') as Uint8Array<ArrayBuffer>,
        terms: termsToWire(c.terms),
        buyerSignature: sig(c.buyerSignature, 'buyerSignature') as Uint8Array<ArrayBuffer>
      }),
    decode: b =>
      decodeWith('confirm', () => {
        const w = wire.Confirm.decode(b)
        return {
          tradeId: hash32(w.tradeId, 'tradeId'),
          terms: termsFromWire(w.terms),
          buyerSignature: sig(w.buyerSignature, 'buyerSignature')
        }
      })
  },
  committed: {
    encode: c => wire.Committed.encode({ tradeId: hash32(c.tradeId, 'tradeId') as Uint8Array<ArrayBuffer> }),
    decode: b => decodeWith('committed', () => ({ tradeId: hash32(wire.Committed.decode(b).tradeId, 'tradeId') }))
  },
  digest: {
    encode: d => {
      const bids = d.bids ?? []
      if (d.entries.length + bids.length > limits.maxDigestEntries)
        throw new MalformedMessageError(`a digest holds at most ${limits.maxDigestEntries} entries and bids`)
      const entry = (list: string) => (e: DigestEntry, i: number) => {
        if (e.energyWh <= 0) throw new MalformedMessageError(`${list}[${i}].energyWh must be positive`)
        return {
          trader: key(e.trader, `${list}[${i}].trader`) as Uint8Array<ArrayBuffer>,
          feeder: feederName(e.feeder, `${list}[${i}].feeder`),
          slot: u64(e.slot, `${list}[${i}].slot`),
          energyWh: u64(e.energyWh, `${list}[${i}].energyWh`),
          price: u64(e.price, `${list}[${i}].price`),
          addrs: e.addrs.slice(0, limits.maxDigestAddrs) as Array<Uint8Array<ArrayBuffer>>,
          buyer: (e.buyer != null ? key(e.buyer, `${list}[${i}].buyer`) : new Uint8Array(0)) as Uint8Array<ArrayBuffer>
        }
      }
      return wire.Digest.encode({
        version: d.version,
        district: district(d.district),
        relay: key(d.relay, 'relay') as Uint8Array<ArrayBuffer>,
        feeder: feederName(d.feeder, 'feeder'),
        seq: u64(d.seq, 'seq'),
        issuedAt: u64(d.issuedAt, 'issuedAt'),
        validUntil: u64(d.validUntil, 'validUntil'),
        entries: d.entries.map(entry('entries')),
        bids: bids.map(entry('bids'))
      })
    },
    decode: b =>
      decodeWith('digest', () => {
        const w = wire.Digest.decode(b, {
          limits: {
            entries: limits.maxDigestEntries,
            entries$: { addrs: limits.maxDigestAddrs },
            bids: limits.maxDigestEntries,
            bids$: { addrs: limits.maxDigestAddrs }
          } as any
        })
        if (w.entries.length + w.bids.length > limits.maxDigestEntries)
          throw new MalformedMessageError(`a digest holds at most ${limits.maxDigestEntries} entries and bids`)
        const entry =
          (list: string) =>
          (e: (typeof w.entries)[number], i: number): DigestEntry => {
            const energyWh = num(e.energyWh, `${list}[${i}].energyWh`)
            if (energyWh <= 0) throw new MalformedMessageError(`${list}[${i}].energyWh must be positive`)
            if (e.addrs.length > limits.maxDigestAddrs || e.addrs.some(x => x.length > 256))
              throw new MalformedMessageError(`${list}[${i}] lists at most ${limits.maxDigestAddrs} addresses of at most 256 bytes`)
            return {
              trader: key(e.trader, `${list}[${i}].trader`),
              feeder: feederName(e.feeder, `${list}[${i}].feeder`),
              slot: num(e.slot, `${list}[${i}].slot`),
              energyWh,
              price: num(e.price, `${list}[${i}].price`),
              addrs: e.addrs,
              ...(e.buyer.length > 0 ? { buyer: key(e.buyer, `${list}[${i}].buyer`) } : {})
            }
          }
        const d: Digest = {
          version: version(w.version),
          district: district(w.district),
          relay: key(w.relay, 'relay'),
          feeder: feederName(w.feeder, 'feeder'),
          seq: num(w.seq, 'seq'),
          issuedAt: num(w.issuedAt, 'issuedAt'),
          validUntil: num(w.validUntil, 'validUntil'),
          entries: w.entries.map(entry('entries')),
          ...(w.bids.length > 0 ? { bids: w.bids.map(entry('bids')) } : {})
        }
        if (d.seq === 0) throw new MalformedMessageError('seq must start at 1')
        if (d.validUntil <= d.issuedAt) throw new MalformedMessageError('validUntil must be after issuedAt')
        return d
      })
  }
}

export { toHex }
