import { sha256 } from '@noble/hashes/sha2.js'
import { bytesEqual, signingDomain, toHex } from '@kvartal/protocol'
import { MalformedRecordError, OversizedChannelDataError } from './errors.ts'

/**
 * The canonical binary layout of one channel record (all integers big-endian):
 *
 * | offset | size | field                                                            |
 * | ------ | ---- | ---------------------------------------------------------------- |
 * | 0      | 1    | version, always 1                                                |
 * | 1      | 1    | kind: 0 open, 1 data, 2 grant, 3 rotate                          |
 * | 2      | 32   | channel id                                                       |
 * | 34     | 4    | index (u32), 0 for the open record                               |
 * | 38     | 32   | prev: record hash of index − 1; 32 zero bytes for index 0        |
 * | 70     | 4    | epoch (u32): the content-key epoch                               |
 * | 74     | 24   | nonce: XChaCha20 nonce of a data record; zeros on control records |
 * | 98     | 4    | body length n (u32)                                              |
 * | 102    | n    | body: ciphertext (data) or key-wrap body (control)               |
 * | 102+n  | 64   | Ed25519 signature of the owner                                   |
 *
 * Bytes 0..102 are the header. The signature covers `kvartal/v1/channel\n` ‖ header ‖ body; a data
 * record's ciphertext takes the header as associated data. The record hash is sha256 of the whole
 * encoding, signature included.
 *
 * Why a fixed layout and not protobuf (the project's wire choice elsewhere): a hash-linked log needs
 * exactly one encoding per record, and protobuf decoders accept many (field order, default values,
 * repeated fields), so a record re-encoded by another implementation could change its hash. A fixed
 * layout is canonical by construction, has no optional fields, is decoded by bounds checks alone and
 * needs no generated code. The body of a control record has its own fixed layout (see `control.ts`).
 */
export const RecordKind = { open: 0, data: 1, grant: 2, rotate: 3 } as const
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind]
const KIND_NAMES = ['open', 'data', 'grant', 'rotate'] as const
export function kindName(kind: RecordKind): string {
  return KIND_NAMES[kind]
}

export interface ChannelRecord {
  readonly version: number
  readonly kind: RecordKind
  readonly channelId: Uint8Array
  readonly index: number
  readonly prev: Uint8Array
  readonly epoch: number
  readonly nonce: Uint8Array
  readonly body: Uint8Array
  readonly signature: Uint8Array
}

export const RECORD_VERSION = 1
export const HEADER_BYTES = 102
export const SIGNATURE_BYTES = 64
export const NONCE_BYTES = 24
export const ZERO_HASH: Uint8Array = new Uint8Array(32)
export const ZERO_NONCE: Uint8Array = new Uint8Array(NONCE_BYTES)

/** Largest application payload one data record carries: big enough for a trip plan, small enough for one stream frame. */
export const MAX_PAYLOAD_BYTES = 64 * 1024
/** Readers per epoch: bounds a grant/rotate record (each reader adds 82 bytes; the owner's list 32). */
export const MAX_READERS = 256
/** Largest body: a data payload plus its type byte and tag, or a control body at MAX_READERS. */
export const MAX_BODY_BYTES = 96 * 1024
export const MAX_RECORD_BYTES = HEADER_BYTES + MAX_BODY_BYTES + SIGNATURE_BYTES
/** Indices and epochs are u32 on the wire. */
export const MAX_INDEX = 0xffff_ffff

type Unsigned = Omit<ChannelRecord, 'signature'>

/** The header bytes; `bodyLength` lets a data record's header exist before its ciphertext (it is the AEAD's associated data). */
export function encodeHeader(r: Omit<Unsigned, 'body'>, bodyLength: number): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES)
  const v = new DataView(h.buffer)
  h[0] = r.version
  h[1] = r.kind
  h.set(r.channelId, 2)
  v.setUint32(34, r.index)
  h.set(r.prev, 38)
  v.setUint32(70, r.epoch)
  h.set(r.nonce, 74)
  v.setUint32(98, bodyLength)
  return h
}

/** What the owner signs: domain ‖ header ‖ body. */
export function signedBytes(r: Unsigned): Uint8Array {
  const d = signingDomain('channel')
  const out = new Uint8Array(d.length + HEADER_BYTES + r.body.length)
  out.set(d, 0)
  out.set(encodeHeader(r, r.body.length), d.length)
  out.set(r.body, d.length + HEADER_BYTES)
  return out
}

function checkFields(r: Unsigned): void {
  if (r.channelId.length !== 32) throw new MalformedRecordError(`channel id is 32 bytes, got ${r.channelId.length}`)
  if (r.prev.length !== 32) throw new MalformedRecordError(`prev is 32 bytes, got ${r.prev.length}`)
  if (r.nonce.length !== NONCE_BYTES) throw new MalformedRecordError(`nonce is ${NONCE_BYTES} bytes, got ${r.nonce.length}`)
  if (!Number.isInteger(r.index) || r.index < 0 || r.index > MAX_INDEX) throw new MalformedRecordError(`index ${r.index} is not a u32`)
  if (!Number.isInteger(r.epoch) || r.epoch < 0 || r.epoch > MAX_INDEX) throw new MalformedRecordError(`epoch ${r.epoch} is not a u32`)
  if (r.body.length > MAX_BODY_BYTES) throw new OversizedChannelDataError('record body (bytes)', r.body.length, MAX_BODY_BYTES)
}

export function encodeRecord(r: ChannelRecord): Uint8Array {
  checkFields(r)
  if (r.signature.length !== SIGNATURE_BYTES) throw new MalformedRecordError(`signature is 64 bytes, got ${r.signature.length}`)
  const out = new Uint8Array(HEADER_BYTES + r.body.length + SIGNATURE_BYTES)
  out.set(encodeHeader(r, r.body.length), 0)
  out.set(r.body, HEADER_BYTES)
  out.set(r.signature, HEADER_BYTES + r.body.length)
  return out
}

/** Decodes one record; throws `MalformedRecordError` or `OversizedChannelDataError`, never anything else. */
export function decodeRecord(bytes: Uint8Array): ChannelRecord {
  if (bytes.length > MAX_RECORD_BYTES) throw new OversizedChannelDataError('record (bytes)', bytes.length, MAX_RECORD_BYTES)
  if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES)
    throw new MalformedRecordError(`a record is at least ${HEADER_BYTES + SIGNATURE_BYTES} bytes, got ${bytes.length}`)
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const version = bytes[0]
  if (version !== RECORD_VERSION) throw new MalformedRecordError(`record version ${version} is not supported (this library reads 1)`)
  const kind = bytes[1]
  if (kind > RecordKind.rotate) throw new MalformedRecordError(`unknown record kind ${kind}`)
  const n = v.getUint32(98)
  if (HEADER_BYTES + n + SIGNATURE_BYTES !== bytes.length)
    throw new MalformedRecordError(`body length ${n} does not match a record of ${bytes.length} bytes`)
  const copy = (from: number, len: number): Uint8Array => bytes.slice(from, from + len)
  return {
    version,
    kind: kind as RecordKind,
    channelId: copy(2, 32),
    index: v.getUint32(34),
    prev: copy(38, 32),
    epoch: v.getUint32(70),
    nonce: copy(74, NONCE_BYTES),
    body: copy(HEADER_BYTES, n),
    signature: copy(HEADER_BYTES + n, SIGNATURE_BYTES)
  }
}

/** sha256 of the record's canonical encoding: what the next record's `prev` and the channel head are. */
export function recordHash(r: ChannelRecord): Uint8Array {
  return sha256(encodeRecord(r))
}

/** The channel id: sha256(`kvartal/v1/channel-id\n` ‖ owner Ed25519 public key ‖ 16-byte nonce). */
export function channelIdOf(ownerPublicKey: Uint8Array, channelNonce: Uint8Array): Uint8Array {
  const d = signingDomain('channel-id')
  const buf = new Uint8Array(d.length + ownerPublicKey.length + channelNonce.length)
  buf.set(d, 0)
  buf.set(ownerPublicKey, d.length)
  buf.set(channelNonce, d.length + ownerPublicKey.length)
  return sha256(buf)
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b)
}
export function shortHex(b: Uint8Array): string {
  return toHex(b).slice(0, 12) + '…'
}
