import { createHash } from 'node:crypto'
import * as wire from './gen/kvartal.js'
import { BadSignatureError, MalformedMessageError } from './errors.ts'
import { bytesEqual, toHex, verifySignature, type Signer } from './keys.ts'
import { signingDomain } from './envelope.ts'

/**
 * A signed, hash-chained meter reading for one slot (integer Wh), or a gap: a slot for which no meter
 * reported, recorded in the chain as such so that it shows, and never filled in.
 */
export interface MeterReading {
  readonly version: number
  /** the signing key (the node's, which signs what its meter reported) */
  readonly meter: Uint8Array
  readonly slot: number
  readonly importWh: number
  readonly exportWh: number
  /** sha256 of the previous reading's encoded bytes; 32 zero bytes for the first */
  readonly prev: Uint8Array
  /** ms: the meter's own timestamp of the sample that closed the slot; for a gap, when the node recorded it */
  readonly at: number
  readonly signature: Uint8Array
  /** true: no reading for this slot (importWh and exportWh are 0 and mean nothing) */
  readonly gap?: boolean
  /** the meter's identity for a reading (`p1:<equipment id>`, `mqtt:<topic>`, `sim:<name>`); why, for a gap */
  readonly source?: string
}

export const GENESIS_READING = new Uint8Array(32)

function unsignedBytes(r: Omit<MeterReading, 'signature'>): Uint8Array {
  return wire.MeterReading.encode({
    version: r.version,
    meter: r.meter as Uint8Array<ArrayBuffer>,
    slot: BigInt(r.slot),
    importWh: BigInt(r.importWh),
    exportWh: BigInt(r.exportWh),
    prev: r.prev as Uint8Array<ArrayBuffer>,
    at: BigInt(r.at),
    signature: new Uint8Array() as Uint8Array<ArrayBuffer>,
    gap: r.gap === true,
    source: r.source ?? ''
  })
}
function withDomain(bytes: Uint8Array): Uint8Array {
  const d = signingDomain('meter')
  const out = new Uint8Array(d.length + bytes.length)
  out.set(d)
  out.set(bytes, d.length)
  return out
}

export function encodeReading(r: MeterReading): Uint8Array {
  return wire.MeterReading.encode({
    version: r.version,
    meter: r.meter as Uint8Array<ArrayBuffer>,
    slot: BigInt(r.slot),
    importWh: BigInt(r.importWh),
    exportWh: BigInt(r.exportWh),
    prev: r.prev as Uint8Array<ArrayBuffer>,
    at: BigInt(r.at),
    signature: r.signature as Uint8Array<ArrayBuffer>,
    gap: r.gap === true,
    source: r.source ?? ''
  })
}

export function decodeReading(bytes: Uint8Array): MeterReading {
  try {
    const w = wire.MeterReading.decode(bytes)
    if (w.meter.length !== 32 || w.prev.length !== 32 || w.signature.length !== 64) throw new Error('bad field length')
    if (w.gap && (w.importWh !== 0n || w.exportWh !== 0n)) throw new Error('a gap carries no energy')
    // uint64 on the wire: beyond 2^53 a JS number is no longer the integer that was signed
    for (const [f, v] of [
      ['slot', w.slot],
      ['importWh', w.importWh],
      ['exportWh', w.exportWh],
      ['at', w.at]
    ] as const)
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${f} is out of range`)
    return {
      version: w.version,
      meter: w.meter,
      slot: Number(w.slot),
      importWh: Number(w.importWh),
      exportWh: Number(w.exportWh),
      prev: w.prev,
      at: Number(w.at),
      signature: w.signature,
      ...(w.gap ? { gap: true } : {}),
      ...(w.source !== '' ? { source: w.source } : {})
    }
  } catch (err) {
    throw new MalformedMessageError(`cannot decode meter reading: ${(err as Error).message}`, { cause: err })
  }
}

/** sha256 of a reading's encoded bytes: what the next reading points back to. */
export function readingHash(r: MeterReading): Uint8Array {
  return new Uint8Array(createHash('sha256').update(encodeReading(r)).digest())
}

/**
 * Signs the reading of `slot`, chained to `previous` (or the genesis hash). `at` is the meter's own
 * timestamp of what it reported; `source` names the meter.
 */
export function signReading(
  signer: Signer,
  slot: number,
  importWh: number,
  exportWh: number,
  at: number,
  previous?: MeterReading,
  source?: string
): MeterReading {
  for (const [v, f] of [
    [importWh, 'importWh'],
    [exportWh, 'exportWh']
  ] as const)
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${f} must be a non-negative integer Wh`)
  const r = {
    version: 1,
    meter: signer.publicKey,
    slot,
    importWh,
    exportWh,
    prev: previous == null ? GENESIS_READING : readingHash(previous),
    at,
    ...(source != null && source !== '' ? { source } : {})
  }
  return { ...r, signature: signer.sign(withDomain(unsignedBytes(r))) }
}

/**
 * Signs a gap: `slot` has no reading (no meter reported it, or what it reported could not make one).
 * It takes the slot's place in the chain so that the chain stays unbroken and the gap shows; `why` says
 * what was missing, `at` is when the node recorded it.
 */
export function signGap(signer: Signer, slot: number, at: number, why: string, previous?: MeterReading): MeterReading {
  const r = {
    version: 1,
    meter: signer.publicKey,
    slot,
    importWh: 0,
    exportWh: 0,
    prev: previous == null ? GENESIS_READING : readingHash(previous),
    at,
    gap: true,
    source: why
  }
  return { ...r, signature: signer.sign(withDomain(unsignedBytes(r))) }
}

/** The slots of a chain that are gaps, in order. */
export function gapSlots(readings: readonly MeterReading[]): number[] {
  return readings.filter(r => r.gap === true).map(r => r.slot)
}

export interface ChainCheck {
  readonly ok: boolean
  readonly problem?: string
  readonly index?: number
  /** the slots the chain records as gaps (no meter reading), when it is whole */
  readonly gaps?: readonly number[]
}

/**
 * Checks a meter's chain: every signature, every back link, slots strictly increasing and none
 * missing. Says at which reading and why it breaks: an edited reading fails its signature or the next
 * link, a removed one leaves a hole. A slot without a reading is not a hole but a signed gap record;
 * a whole chain lists them in `gaps`.
 */
export function verifyReadingChain(readings: readonly MeterReading[], first?: Uint8Array): ChainCheck {
  let prev = first ?? GENESIS_READING
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]
    if (!verifySignature(r.meter, withDomain(unsignedBytes(r)), r.signature))
      return { ok: false, index: i, problem: `reading ${i} (slot ${r.slot}): ${new BadSignatureError().message}` }
    if (!bytesEqual(r.prev, prev))
      return {
        ok: false,
        index: i,
        problem:
          `reading ${i} (slot ${r.slot}) does not link to the one before it ` +
          `(${toHex(r.prev).slice(0, 12)}… ≠ ${toHex(prev).slice(0, 12)}…)`
      }
    if (i > 0 && !bytesEqual(r.meter, readings[i - 1].meter)) return { ok: false, index: i, problem: `reading ${i} is by another meter` }
    if (i > 0 && r.slot !== readings[i - 1].slot + 1)
      return { ok: false, index: i, problem: `gap: slot ${readings[i - 1].slot} is followed by slot ${r.slot}` }
    prev = readingHash(r)
  }
  return { ok: true, gaps: gapSlots(readings) }
}
