import * as wire from './gen/kvartal.js'
import { BadSignatureError, MalformedMessageError, OversizedMessageError, UnsignedMessageError } from './errors.ts'
import { bytesEqual, verifySignature, type Signer } from './keys.ts'
import { codecs } from './message-codecs.ts'
import type { MessageKind as EnergyKind, MessageOf as EnergyMessageOf, Trade, TradeTerms } from './messages.ts'
import { encodeTerms } from './trade-terms.ts'
import { encodeLegTerms, mobilityCodecs, type LegTerms, type MobilityKind, type MobilityMessageOf } from './mobility-messages.ts'

/** Every kind of signed message: the energy market's and mobility's. */
export type SignedKind = EnergyKind | MobilityKind
export type SignedMessageOf = EnergyMessageOf & MobilityMessageOf
const allCodecs: { [K in SignedKind]: { encode(m: SignedMessageOf[K]): Uint8Array; decode(b: Uint8Array): SignedMessageOf[K] } } = {
  ...codecs,
  ...mobilityCodecs
}

const encoder = new TextEncoder()
const domains = new Map<string, Uint8Array>()

/** Signatures are domain-separated: a signature on one kind of message is never valid for another. */
export function signingDomain(kind: string): Uint8Array {
  let d = domains.get(kind)
  if (d == null) {
    d = encoder.encode(`kvartal/v1/${kind}\n`)
    domains.set(kind, d)
  }
  return d
}

function signedBytes(kind: string, body: Uint8Array): Uint8Array {
  const d = signingDomain(kind)
  const out = new Uint8Array(d.length + body.length)
  out.set(d, 0)
  out.set(body, d.length)
  return out
}

export interface Opened<K extends SignedKind> {
  readonly kind: K
  readonly message: SignedMessageOf[K]
  readonly signer: Uint8Array
  /** the encoded body as signed, for hashing or storage */
  readonly body: Uint8Array
}

/** Encodes `message`, signs it as `kind` and wraps both in an Envelope. */
export function seal<K extends SignedKind>(kind: K, message: SignedMessageOf[K], signer: Signer): Uint8Array {
  const body = allCodecs[kind].encode(message)
  return wire.Envelope.encode({
    kind,
    body: body as Uint8Array<ArrayBuffer>,
    signer: signer.publicKey as Uint8Array<ArrayBuffer>,
    signature: signer.sign(signedBytes(kind, body)) as Uint8Array<ArrayBuffer>
  })
}

export interface OpenOptions {
  maxBytes: number
  /** kinds acceptable here; anything else is malformed for this channel */
  kinds: readonly SignedKind[]
}

/**
 * Decodes and verifies an envelope. Either returns a whole, signed, well-formed message or throws a
 * ProtocolError: nothing is half-accepted.
 */
export function open(bytes: Uint8Array, opts: OpenOptions): Opened<SignedKind> {
  if (bytes.length > opts.maxBytes) throw new OversizedMessageError(bytes.length, opts.maxBytes)
  let env: wire.Envelope
  try {
    env = wire.Envelope.decode(bytes)
  } catch (err) {
    throw new MalformedMessageError(`cannot decode envelope: ${(err as Error).message}`, { cause: err })
  }
  const kind = env.kind as SignedKind
  if (!opts.kinds.includes(kind))
    throw new MalformedMessageError(`unexpected message kind "${env.kind.slice(0, 32)}" (expected ${opts.kinds.join(' or ')})`)
  if (env.signature.length === 0 || env.signer.length === 0) throw new UnsignedMessageError()
  if (env.signer.length !== 32) throw new MalformedMessageError('signer must be a 32-byte Ed25519 public key')
  if (!verifySignature(env.signer, signedBytes(kind, env.body), env.signature)) throw new BadSignatureError()
  const message = allCodecs[kind].decode(env.body)
  return { kind, message, signer: env.signer, body: env.body }
}

/** Opens and checks that the kind is `kind`; narrows the type. */
export function openAs<K extends SignedKind>(bytes: Uint8Array, kind: K, maxBytes: number): Opened<K> {
  return open(bytes, { maxBytes, kinds: [kind] }) as Opened<K>
}

/** A party's signature on trade terms. */
export function signTerms(terms: TradeTerms, signer: Signer): Uint8Array {
  return signer.sign(signedBytes('trade', encodeTerms(terms)))
}

export function verifyTermsSignature(terms: TradeTerms, publicKey: Uint8Array, signature: Uint8Array): boolean {
  return verifySignature(publicKey, signedBytes('trade', encodeTerms(terms)), signature)
}

/** Checks both signatures of a trade; throws BadSignatureError naming the party whose signature fails. */
export function verifyTrade(trade: Trade): void {
  if (!verifyTermsSignature(trade.terms, trade.terms.seller, trade.sellerSignature))
    throw new BadSignatureError("the seller's signature on the trade terms does not verify")
  if (!verifyTermsSignature(trade.terms, trade.terms.buyer, trade.buyerSignature))
    throw new BadSignatureError("the buyer's signature on the trade terms does not verify")
}

/** Is the signer of an envelope the party the message claims to come from? */
export function signedBy(opened: { signer: Uint8Array }, party: Uint8Array): boolean {
  return bytesEqual(opened.signer, party)
}

/** A party's signature on a leg's terms (traveller and provider both sign the same bytes). */
export function signLegTerms(terms: LegTerms, signer: Signer): Uint8Array {
  return signer.sign(signedBytes('leg', encodeLegTerms(terms)))
}
export function verifyLegTerms(terms: LegTerms, publicKey: Uint8Array, signature: Uint8Array): boolean {
  return verifySignature(publicKey, signedBytes('leg', encodeLegTerms(terms)), signature)
}

/** A booked leg as attested: its terms and both signatures, in one canonical byte string. */
export function encodeBookedLeg(terms: LegTerms, travellerSignature: Uint8Array, providerSignature: Uint8Array): Uint8Array {
  const t = encodeLegTerms(terms)
  const out = new Uint8Array(t.length + 128)
  out.set(t)
  out.set(travellerSignature, t.length)
  out.set(providerSignature, t.length + 64)
  return out
}
