import { createHash } from 'node:crypto'
import * as wire from './gen/kvartal.js'
import { BadSignatureError, MalformedMessageError } from './errors.ts'
import { bytesEqual, toHex, verifySignature, type Signer } from './keys.ts'
import { signingDomain } from './envelope.ts'

/** A signed, hash-chained meter reading for one slot (integer Wh). */
export interface MeterReading {
  readonly version: number
  readonly meter: Uint8Array
  readonly slot: number
  readonly importWh: number
  readonly exportWh: number
  /** sha256 of the previous reading's encoded bytes; 32 zero bytes for the first */
  readonly prev: Uint8Array
  readonly at: number
  readonly signature: Uint8Array
}

export const GENESIS_READING = new Uint8Array(32)

function unsignedBytes (r: Omit<MeterReading, 'signature'>): Uint8Array {
  return wire.MeterReading.encode({ version: r.version, meter: r.meter as Uint8Array<ArrayBuffer>, slot: BigInt(r.slot), importWh: BigInt(r.importWh), exportWh: BigInt(r.exportWh), prev: r.prev as Uint8Array<ArrayBuffer>, at: BigInt(r.at), signature: new Uint8Array() as Uint8Array<ArrayBuffer> })
}
function withDomain (bytes: Uint8Array): Uint8Array {
  const d = signingDomain('meter')
  const out = new Uint8Array(d.length + bytes.length); out.set(d); out.set(bytes, d.length)
  return out
}

export function encodeReading (r: MeterReading): Uint8Array {
  return wire.MeterReading.encode({ version: r.version, meter: r.meter as Uint8Array<ArrayBuffer>, slot: BigInt(r.slot), importWh: BigInt(r.importWh), exportWh: BigInt(r.exportWh), prev: r.prev as Uint8Array<ArrayBuffer>, at: BigInt(r.at), signature: r.signature as Uint8Array<ArrayBuffer> })
}

export function decodeReading (bytes: Uint8Array): MeterReading {
  try {
    const w = wire.MeterReading.decode(bytes)
    if (w.meter.length !== 32 || w.prev.length !== 32 || w.signature.length !== 64) throw new Error('bad field length')
    return { version: w.version, meter: w.meter, slot: Number(w.slot), importWh: Number(w.importWh), exportWh: Number(w.exportWh), prev: w.prev, at: Number(w.at), signature: w.signature }
  } catch (err) {
    throw new MalformedMessageError(`cannot decode meter reading: ${(err as Error).message}`, { cause: err })
  }
}

/** sha256 of a reading's encoded bytes: what the next reading points back to. */
export function readingHash (r: MeterReading): Uint8Array {
  return new Uint8Array(createHash('sha256').update(encodeReading(r)).digest())
}

/** Signs the reading of `slot`, chained to `previous` (or the genesis hash). */
export function signReading (signer: Signer, slot: number, importWh: number, exportWh: number, at: number, previous?: MeterReading): MeterReading {
  for (const [v, f] of [[importWh, 'importWh'], [exportWh, 'exportWh']] as const) if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${f} must be a non-negative integer Wh`)
  const r = { version: 1, meter: signer.publicKey, slot, importWh, exportWh, prev: previous == null ? GENESIS_READING : readingHash(previous), at }
  return { ...r, signature: signer.sign(withDomain(unsignedBytes(r))) }
}

export interface ChainCheck { readonly ok: boolean, readonly problem?: string, readonly index?: number }

/**
 * Checks a meter's chain: every signature, every back link, slots strictly increasing and without
 * gaps. Says at which reading and why it breaks: an edited reading fails its signature or the next
 * link, a removed one leaves a gap.
 */
export function verifyReadingChain (readings: readonly MeterReading[], first?: Uint8Array): ChainCheck {
  let prev = first ?? GENESIS_READING
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]
    if (!verifySignature(r.meter, withDomain(unsignedBytes(r)), r.signature)) return { ok: false, index: i, problem: `reading ${i} (slot ${r.slot}): ${new BadSignatureError().message}` }
    if (!bytesEqual(r.prev, prev)) return { ok: false, index: i, problem: `reading ${i} (slot ${r.slot}) does not link to the one before it (${toHex(r.prev).slice(0, 12)}… ≠ ${toHex(prev).slice(0, 12)}…)` }
    if (i > 0 && !bytesEqual(r.meter, readings[i - 1].meter)) return { ok: false, index: i, problem: `reading ${i} is by another meter` }
    if (i > 0 && r.slot !== readings[i - 1].slot + 1) return { ok: false, index: i, problem: `gap: slot ${readings[i - 1].slot} is followed by slot ${r.slot}` }
    prev = readingHash(r)
  }
  return { ok: true }
}
