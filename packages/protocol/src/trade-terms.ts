/**
 * The terms both parties of a trade sign, on the wire, and a trade: the terms with both signatures. A
 * trade's id is the sha256 of its encoded terms.
 */
import { createHash } from 'node:crypto'
import * as wire from './gen/kvartal.js'
import { MalformedMessageError } from './errors.ts'
import { decodeWith, district, feederName, key, nonce, num, sig, u64, version } from './message-fields.ts'
import type { Trade, TradeTerms } from './messages.ts'

export function termsToWire(t: TradeTerms): wire.TradeTerms {
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
export function termsFromWire(t: wire.TradeTerms | undefined): TradeTerms {
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
