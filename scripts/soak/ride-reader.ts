/**
 * What the ride invariants (ride-invariants.ts) read from a ride's bytes, without any of the node's code:
 * a rental's LegTerms (its window, distance, unlock fee and GBFS pricing plan), a signed envelope
 * (kvartal.proto's Envelope: kind = 1, body = 2, signer = 3, signature = 4; Ed25519 over
 * `kvartal/v1/<kind>\n` ‖ body, checked with node:crypto), a UsageReceipt (mobility.proto), and the fare a
 * plan charges for a use, computed here from the GBFS semantics packages/mobility/src/pricing.ts documents.
 */
import { createPublicKey, verify } from 'node:crypto'
import { protoFields } from './journal-reader.ts'

type Fields = ReturnType<typeof protoFields>

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('hex')
const num = (f: Fields, no: number): number => {
  const v = f.find(x => x.no === no)?.varint ?? 0n
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new Error(`field ${no}: ${v} beyond 2^53`)
  return n
}
const bytes = (f: Fields, no: number): Uint8Array | undefined => f.find(x => x.no === no)?.bytes
const text = (f: Fields, no: number): string => Buffer.from(bytes(f, no) ?? new Uint8Array()).toString('utf8')

/** A GBFS segment: start, rate, interval, end (0 = none), in whole minutes or km. */
export interface RawSegment {
  readonly start: number
  readonly rate: number
  readonly interval: number
  readonly end: number
}
/** A pricing plan as the wire carries it: plan id ('' = no pay per use), unlock fee, segments, cap (0 = none). */
export interface RawPlan {
  readonly planId: string
  readonly price: number
  readonly perMin: RawSegment[]
  readonly perKm: RawSegment[]
  readonly maxPrice: number
}

/** What a rental's terms say (LegTerms: traveller 5, provider 6, from 9, to 10, price 14, pricing 15, distance 19). */
export interface RentalTerms {
  readonly traveller: string
  readonly provider: string
  /** the window, ms */
  readonly from: number
  readonly to: number
  /** paid at checkout: the unlock fee */
  readonly price: number
  readonly distanceM: number
  readonly plan: RawPlan
}

function segment(b: Uint8Array): RawSegment {
  const f = protoFields(b)
  return { start: num(f, 1), rate: num(f, 2), interval: num(f, 3), end: num(f, 4) }
}

export function rentalTerms(termsHex: string): RentalTerms {
  const t = protoFields(Buffer.from(termsHex, 'hex'))
  const p = protoFields(bytes(t, 15) ?? new Uint8Array())
  return {
    traveller: hex(bytes(t, 5)),
    provider: hex(bytes(t, 6)),
    from: num(t, 9),
    to: num(t, 10),
    price: num(t, 14),
    distanceM: num(t, 19),
    plan: {
      planId: text(p, 1),
      price: num(p, 2),
      perMin: p.filter(x => x.no === 3 && x.bytes != null).map(x => segment(x.bytes!)),
      perKm: p.filter(x => x.no === 4 && x.bytes != null).map(x => segment(x.bytes!)),
      maxPrice: num(p, 5)
    }
  }
}

/** How many times a segment charges for `used` sub-units (GBFS: at the start of each interval from `start` on). */
function charges(s: RawSegment, used: bigint, unit: bigint): bigint {
  const from = BigInt(s.start) * unit
  if (used <= from) return 0n
  if (s.interval === 0) return 1n
  const upTo = s.end > 0 && BigInt(s.end) * unit < used ? BigInt(s.end) * unit : used
  const step = BigInt(s.interval) * unit
  return (upTo - from + step - 1n) / step
}

/** The fare for a use: unlock fee + minute segments (60 s) + km segments (1000 m), capped at maxPrice when there is one. */
export function fareOf(plan: RawPlan, seconds: number, metres: number): number {
  let total = BigInt(plan.price)
  for (const s of plan.perMin) total += BigInt(s.rate) * charges(s, BigInt(seconds), 60n)
  for (const s of plan.perKm) total += BigInt(s.rate) * charges(s, BigInt(metres), 1000n)
  if (plan.maxPrice > 0 && total > BigInt(plan.maxPrice)) total = BigInt(plan.maxPrice)
  return Number(total)
}

/** A UsageReceipt read from its envelope, and whether the envelope's signature holds for its signer. */
export interface RawUsageReceipt {
  readonly kind: string
  readonly signer: string
  readonly signatureValid: boolean
  readonly leg: string
  readonly nonce: number
  readonly seconds: number
  readonly metres: number
  readonly total: number
  readonly payer: string
  readonly payee: string
  readonly issuedAt: number
}

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')

export function openReceipt(envelopeHex: string): RawUsageReceipt {
  const e = protoFields(Buffer.from(envelopeHex, 'hex'))
  const kind = text(e, 1)
  const body = bytes(e, 2) ?? new Uint8Array()
  const signer = bytes(e, 3) ?? new Uint8Array()
  const signature = bytes(e, 4) ?? new Uint8Array()
  let signatureValid = false
  if (signer.length === 32 && signature.length === 64) {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, signer]), format: 'der', type: 'spki' })
    signatureValid = verify(null, Buffer.concat([Buffer.from(`kvartal/v1/${kind}\n`), body]), key, signature)
  }
  const m = protoFields(body)
  return {
    kind,
    signer: hex(signer),
    signatureValid,
    leg: hex(bytes(m, 3)),
    nonce: num(m, 4),
    seconds: num(m, 5),
    metres: num(m, 6),
    total: num(m, 7),
    payer: hex(bytes(m, 8)),
    payee: hex(bytes(m, 9)),
    issuedAt: num(m, 10)
  }
}
