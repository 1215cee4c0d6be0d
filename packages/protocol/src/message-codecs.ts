/** The codec of every kind of energy message: the generated protobuf codecs, with every field checked both ways. */
import * as wire from './gen/kvartal.js'
import { MalformedMessageError } from './errors.ts'
import {
  decodeWith,
  district,
  feederName,
  hash32,
  key,
  nonce,
  num,
  optionalFeeder,
  orderFromWire,
  orderToWire,
  sig,
  text,
  u32,
  u64,
  version
} from './message-fields.ts'
import type { Announcement, Digest, DigestEntry, MessageKind, MessageOf, Proposal } from './messages.ts'
import { limits } from './topics.ts'
import { termsFromWire, termsToWire } from './trade-terms.ts'

type Codec<T> = { encode: (m: T) => Uint8Array; decode: (b: Uint8Array) => T }

/**
 * A digest's entry (or a refusal's referral) on the wire, checked: positive energy (or 0 in an amendment's entries:
 * withdrawn), bounded addresses.
 */
const entryToWire =
  (list: string, zero = false) =>
  (e: DigestEntry, i: number) => {
    if (e.energyWh < 0 || (e.energyWh === 0 && !zero))
      throw new MalformedMessageError(`${list}[${i}].energyWh must be positive${zero ? ' or 0' : ''}`)
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

const entryFromWire =
  (list: string, zero = false) =>
  (e: wire.DigestEntry, i: number): DigestEntry => {
    const energyWh = num(e.energyWh, `${list}[${i}].energyWh`)
    if (energyWh === 0 && !zero) throw new MalformedMessageError(`${list}[${i}].energyWh must be positive`)
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

/** An amendment names an earlier digest of its relay, and lists only entries: the rest stays as that digest said. */
function checkAmendment(amends: number, seq: number, others: number): void {
  if (amends <= 0 || amends >= seq)
    throw new MalformedMessageError(`a digest amends an earlier one of its relay (amends ${amends}, seq ${seq})`)
  if (others > 0) throw new MalformedMessageError('an amendment lists entries only: no bids, matched asks or relay addresses')
}

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
    encode: r => {
      const referrals = r.referrals ?? []
      if (referrals.length > limits.maxReferrals)
        throw new MalformedMessageError(`a refusal refers to at most ${limits.maxReferrals} sellers`)
      return wire.Reject.encode({
        negotiation: nonce(r.negotiation, 'negotiation') as Uint8Array<ArrayBuffer>,
        code: text(r.code, 'code', 64),
        detail: text(r.detail, 'detail', 512),
        referrals: referrals.map(entryToWire('referrals'))
      })
    },
    decode: b =>
      decodeWith('reject', () => {
        const w = wire.Reject.decode(b, {
          limits: { referrals: limits.maxReferrals, referrals$: { addrs: limits.maxDigestAddrs } } as any
        })
        if (w.referrals.length > limits.maxReferrals)
          throw new MalformedMessageError(`a refusal refers to at most ${limits.maxReferrals} sellers`)
        const referrals = w.referrals.map(entryFromWire('referrals'))
        if (referrals.some(e => e.buyer != null)) throw new MalformedMessageError('a referral names no buyer')
        return {
          negotiation: nonce(w.negotiation, 'negotiation'),
          code: text(w.code, 'code', 64),
          detail: text(w.detail, 'detail', 512),
          ...(referrals.length > 0 ? { referrals } : {})
        }
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
      const matched = d.matched ?? []
      if (d.entries.length + bids.length + matched.length > limits.maxDigestEntries)
        throw new MalformedMessageError(`a digest holds at most ${limits.maxDigestEntries} entries, bids and matched asks`)
      if (d.amends != null) checkAmendment(d.amends, d.seq, bids.length + matched.length + (d.relayAddrs?.length ?? 0))
      return wire.Digest.encode({
        version: d.version,
        district: district(d.district),
        relay: key(d.relay, 'relay') as Uint8Array<ArrayBuffer>,
        feeder: feederName(d.feeder, 'feeder'),
        seq: u64(d.seq, 'seq'),
        issuedAt: u64(d.issuedAt, 'issuedAt'),
        validUntil: u64(d.validUntil, 'validUntil'),
        entries: d.entries.map(entryToWire('entries', d.amends != null)),
        bids: bids.map(entryToWire('bids')),
        matched: matched.map(entryToWire('matched')),
        relayAddrs: (d.relayAddrs ?? []).slice(0, limits.maxDigestAddrs) as Array<Uint8Array<ArrayBuffer>>,
        amends: u64(d.amends ?? 0, 'amends')
      })
    },
    decode: b =>
      decodeWith('digest', () => {
        const w = wire.Digest.decode(b, {
          limits: {
            entries: limits.maxDigestEntries,
            entries$: { addrs: limits.maxDigestAddrs },
            bids: limits.maxDigestEntries,
            bids$: { addrs: limits.maxDigestAddrs },
            matched: limits.maxDigestEntries,
            matched$: { addrs: limits.maxDigestAddrs },
            relayAddrs: limits.maxDigestAddrs
          } as any
        })
        if (w.entries.length + w.bids.length + w.matched.length > limits.maxDigestEntries)
          throw new MalformedMessageError(`a digest holds at most ${limits.maxDigestEntries} entries, bids and matched asks`)
        if (w.relayAddrs.length > limits.maxDigestAddrs || w.relayAddrs.some(x => x.length > 256))
          throw new MalformedMessageError(`relayAddrs lists at most ${limits.maxDigestAddrs} addresses of at most 256 bytes`)
        const amends = num(w.amends, 'amends')
        if (amends !== 0) checkAmendment(amends, num(w.seq, 'seq'), w.bids.length + w.matched.length + w.relayAddrs.length)
        const d: Digest = {
          version: version(w.version),
          district: district(w.district),
          relay: key(w.relay, 'relay'),
          feeder: feederName(w.feeder, 'feeder'),
          seq: num(w.seq, 'seq'),
          issuedAt: num(w.issuedAt, 'issuedAt'),
          validUntil: num(w.validUntil, 'validUntil'),
          entries: w.entries.map(entryFromWire('entries', amends !== 0)),
          ...(w.bids.length > 0 ? { bids: w.bids.map(entryFromWire('bids')) } : {}),
          ...(w.matched.length > 0 ? { matched: w.matched.map(entryFromWire('matched')) } : {}),
          ...(w.relayAddrs.length > 0 ? { relayAddrs: w.relayAddrs } : {}),
          ...(amends !== 0 ? { amends } : {})
        }
        if (d.seq === 0) throw new MalformedMessageError('seq must start at 1')
        if (d.validUntil <= d.issuedAt) throw new MalformedMessageError('validUntil must be after issuedAt')
        return d
      })
  }
}
