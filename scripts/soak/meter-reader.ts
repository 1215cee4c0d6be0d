/**
 * A node's meter chain read raw from its journal (journal-reader.ts calls it), with none of the node's code:
 * a MeterReading's bytes decoded by field number (packages/protocol/proto/kvartal.proto):
 *
 *   version = 1, meter = 2 (the signing key), slot = 3, import_wh = 4, export_wh = 5, prev = 6 (sha256 of the
 *   previous reading's bytes), at = 7, signature = 8, gap = 9, source = 10
 *
 * The signature is Ed25519 by `meter` over "kvartal/v1/meter\n" and the message's encoding without field 8; the
 * node encodes in field order and leaves out empty fields, so that is the journaled bytes with field 8 cut out.
 */
import { createHash, createPublicKey, verify } from 'node:crypto'

/** One slot's record of the chain, as journaled under meter/<slot>. */
export interface RawReading {
  /** the slot its journal key names */
  readonly key: number
  readonly slot: number
  /** hex of the signing key */
  readonly meter: string
  readonly importWh: number
  readonly exportWh: number
  /** hex of the previous reading's sha256 */
  readonly prev: string
  readonly at: number
  readonly gap: boolean
  /** the meter's identity; for a gap, why */
  readonly source: string
  /** hex sha256 of the journaled bytes: what the next reading must point back to */
  readonly hash: string
  readonly signatureValid: boolean
  /** why the bytes could not be read, if they could not (the other fields are then empty) */
  readonly unreadable?: string
}

/** The sample a node journaled for a slot boundary (meter-boundary/<slot>). */
export interface RawBoundary {
  readonly meterId: string
  readonly at: number
  readonly importWh: number
  readonly exportWh: number
}

interface Span {
  readonly no: number
  readonly start: number
  readonly end: number
  readonly varint?: bigint
  readonly bytes?: Uint8Array
}

function varint(b: Uint8Array, pos: { i: number }): bigint {
  let out = 0n
  for (let shift = 0n; shift <= 63n; shift += 7n) {
    if (pos.i >= b.length) throw new Error('truncated varint')
    const byte = b[pos.i++]
    out |= BigInt(byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return out
  }
  throw new Error('varint longer than 10 bytes')
}

/** Every field with where its bytes start and end (key included): varints and length-delimited ones. */
function spans(b: Uint8Array): Span[] {
  const out: Span[] = []
  const pos = { i: 0 }
  while (pos.i < b.length) {
    const start = pos.i
    const key = Number(varint(b, pos))
    const no = key >>> 3
    if ((key & 7) === 0) out.push({ no, start, varint: varint(b, pos), end: pos.i })
    else if ((key & 7) === 2) {
      const len = Number(varint(b, pos))
      if (pos.i + len > b.length) throw new Error('truncated field')
      out.push({ no, start, bytes: b.subarray(pos.i, pos.i + len), end: pos.i + len })
      pos.i += len
    } else throw new Error(`unexpected wire type ${key & 7} (field ${no})`)
  }
  return out
}

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')
const DOMAIN = Buffer.from('kvartal/v1/meter\n')

/** Decodes and checks one journaled reading (`hexBytes`, under the key of slot `key`). */
export function openReading(key: number, hexBytes: string): RawReading {
  const b = Buffer.from(hexBytes, 'hex')
  const hash = createHash('sha256').update(b).digest('hex')
  const empty = { key, slot: -1, meter: '', importWh: 0, exportWh: 0, prev: '', at: 0, gap: false, source: '', hash, signatureValid: false }
  try {
    const f = spans(b)
    const field = (no: number): Span | undefined => f.find(x => x.no === no)
    const n = (no: number): number => {
      const v = field(no)?.varint ?? 0n
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`field ${no} beyond 2^53`)
      return Number(v)
    }
    const meter = field(2)?.bytes ?? new Uint8Array()
    const signature = field(8)?.bytes ?? new Uint8Array()
    let signatureValid = false
    if (meter.length === 32 && signature.length === 64) {
      const sig = field(8)!
      const unsigned = Buffer.concat([b.subarray(0, sig.start), b.subarray(sig.end)])
      const pk = createPublicKey({ key: Buffer.concat([SPKI_ED25519, meter]), format: 'der', type: 'spki' })
      signatureValid = verify(null, Buffer.concat([DOMAIN, unsigned]), pk, signature)
    }
    return {
      key,
      slot: n(3),
      meter: Buffer.from(meter).toString('hex'),
      importWh: n(4),
      exportWh: n(5),
      prev: Buffer.from(field(6)?.bytes ?? new Uint8Array()).toString('hex'),
      at: n(7),
      gap: n(9) !== 0,
      source: Buffer.from(field(10)?.bytes ?? new Uint8Array()).toString('utf8'),
      hash,
      signatureValid
    }
  } catch (err) {
    return { ...empty, unreadable: (err as Error).message }
  }
}
