/**
 * Channels: owner-controlled, author-signed, hash-linked, encrypted streams of records (the IOTA MAM
 * idea) as a pure library. Storage and transport belong to the caller: a channel is its list of
 * records, each encodable to canonical bytes (`encodeRecord`, layout documented in `record.ts`).
 *
 * Design
 * - Owner: one Ed25519 key, the node's own (signatures through `signerFromSeed`/`verifySignature` of
 *   @kvartal/protocol, i.e. node:crypto Ed25519, so the node key signs and anyone verifies with it).
 * - Id: sha256(`kvartal/v1/channel-id\n` ‖ owner public key ‖ random 16-byte nonce). Record 0 (kind
 *   `open`) carries the owner key and the nonce in clear, so the id is self-certifying.
 * - Records: { version, kind, channel id, index, prev, epoch, nonce, body, signature }. `prev` is the
 *   sha256 of the previous record's encoding (zeros for index 0); the head is the hash of the last
 *   record. The owner signs domain ‖ header ‖ body. Kinds: `open` (epoch 0's keys), `data`, `grant`
 *   (the current epoch's key wrapped for one more reader), `rotate` (a new epoch's key wrapped for the
 *   remaining readers). Grants and revocations are therefore in the chain itself.
 * - Content: a data record's body is XChaCha20-Poly1305(content key of its epoch, random 24-byte
 *   nonce, associated data = header) of (type byte ‖ payload); type 0 = raw bytes, 1 = JSON (UTF-8).
 * - Readers hold X25519 keys. A node's Ed25519 key serves as one: public key via
 *   `ed25519.utils.toMontgomery`, secret via `ed25519.utils.toMontgomerySecret(seed)`; a separate
 *   X25519 key is accepted as `{ x25519: publicKey }` / `{ x25519Secret }`. Wrapping (ephemeral X25519 +
 *   HKDF-SHA256 + XChaCha20-Poly1305) is described in `control.ts`. Reader wraps are unlabelled: the
 *   chain shows how many readers an epoch has, not who they are; a reader finds its own by trial.
 * - Grant(reader) gives the reader the *current* epoch's key, so it reads that whole epoch, including
 *   records written in it before the grant (call `rotate()` first to grant from now on only).
 * - Revoke(reader) = rotate: a fresh random content key for epoch + 1, wrapped for the owner and each
 *   remaining reader. The revoked reader keeps the keys it had (it can still read, and anyone can still
 *   verify, everything up to the revocation) but cannot read anything written after it.
 * - Persistence of the owner's keys: every control record's first wrap is addressed to the owner
 *   itself (its node key as X25519) and holds the content key and the epoch's reader list. The chain
 *   is therefore the owner's whole key store: `openChannel(ownerSeed, records)` rebuilds all epoch keys
 *   and the reader set from the records alone; nothing else needs to be stored or kept secret beyond
 *   the node seed. (Deriving epoch keys from the seed was the alternative; it would make every past and
 *   future key a function of one secret with no way to forget one, and still need the reader list.)
 * - Write before you send: each method returns the record it appended; the caller stores it before
 *   sending or announcing it. If storing fails, drop this handle and `openChannel` from what was stored
 *   (an unsaved record was never seen by anyone, so the chain stays linear).
 * - Verification needs no key at all: `verifyChain(records, ownerPublicKey)` (see `verify.ts`).
 * - Sizes are bounded: payload ≤ MAX_PAYLOAD_BYTES, readers per epoch ≤ MAX_READERS, record ≤
 *   MAX_RECORD_BYTES; beyond them a typed `OversizedChannelDataError` is thrown.
 *
 * Primitives, all from the audited @noble family or node:crypto through @kvartal/protocol: Ed25519
 * (protocol), X25519 and the Edwards→Montgomery maps (@noble/curves), XChaCha20-Poly1305
 * (@noble/ciphers), HKDF and SHA-256 (@noble/hashes), randomness from `@noble/ciphers/utils`
 * `randomBytes` (crypto.getRandomValues).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { randomBytes } from '@noble/ciphers/utils.js'
import { signerFromSeed, type Signer } from '@kvartal/protocol'
import { ChannelChainError, OversizedChannelDataError, ReaderError } from './errors.ts'
import {
  decodeControl,
  encodeControl,
  newChannelNonce,
  newContentKey,
  ownerKeyring,
  parseOwnerKeyring,
  unwrap,
  wrapFor,
  x25519PublicOf,
  x25519PublicOfSecret,
  x25519SecretOf,
  KEY_BYTES,
  type Wrap
} from './control.ts'
import {
  channelIdOf,
  encodeHeader,
  recordHash,
  RecordKind,
  RECORD_VERSION,
  sameBytes,
  signedBytes,
  MAX_PAYLOAD_BYTES,
  MAX_READERS,
  NONCE_BYTES,
  ZERO_HASH,
  ZERO_NONCE,
  type ChannelRecord
} from './record.ts'
import { verifyChain, type ChainCheck, type ChannelTip } from './verify.ts'

/** A reader: its Ed25519 public key (a node id), or a separate X25519 public key. */
export type ReaderKey = Uint8Array | { readonly x25519: Uint8Array }
/** A reader's secret: its Ed25519 seed (the node seed), or a separate X25519 secret. */
export type ReaderSecret = Uint8Array | { readonly x25519Secret: Uint8Array }

const PayloadType = { bytes: 0, json: 1 } as const
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

function readerX25519(reader: ReaderKey): Uint8Array {
  if (reader instanceof Uint8Array) {
    if (reader.length !== 32) throw new ReaderError(`a reader's Ed25519 public key is 32 bytes, got ${reader.length}`)
    try {
      return x25519PublicOf(reader)
    } catch (err) {
      throw new ReaderError(`not an Ed25519 public key: ${(err as Error).message}`)
    }
  }
  if (reader.x25519.length !== 32) throw new ReaderError(`an X25519 public key is 32 bytes, got ${reader.x25519.length}`)
  // A low-order point would give an all-zero shared secret; x25519 refuses it, so refuse it here, at grant time.
  try {
    x25519.getSharedSecret(x25519.utils.randomSecretKey(), reader.x25519)
  } catch {
    throw new ReaderError('not a usable X25519 public key (low-order point)')
  }
  return reader.x25519
}

function secretX25519(secret: ReaderSecret): { secret: Uint8Array; publicKey: Uint8Array } {
  const s = secret instanceof Uint8Array ? x25519SecretOf(secret) : secret.x25519Secret
  return { secret: s, publicKey: x25519PublicOfSecret(s) }
}

function encodePayload(payload: Uint8Array | object): Uint8Array {
  let type: number
  let bytes: Uint8Array
  if (payload instanceof Uint8Array) {
    type = PayloadType.bytes
    bytes = payload
  } else {
    const json = JSON.stringify(payload)
    if (json === undefined) throw new TypeError('payload is not JSON-serialisable')
    type = PayloadType.json
    bytes = encoder.encode(json)
  }
  if (bytes.length > MAX_PAYLOAD_BYTES) throw new OversizedChannelDataError('payload (bytes)', bytes.length, MAX_PAYLOAD_BYTES)
  const out = new Uint8Array(1 + bytes.length)
  out[0] = type
  out.set(bytes, 1)
  return out
}

function decryptData(r: ChannelRecord, key: Uint8Array): { bytes: Uint8Array; value: unknown } | undefined {
  try {
    const plain = xchacha20poly1305(key, r.nonce, encodeHeader(r, r.body.length)).decrypt(r.body)
    const bytes = plain.subarray(1)
    if (plain[0] === PayloadType.json) return { bytes, value: JSON.parse(decoder.decode(bytes)) }
    if (plain[0] === PayloadType.bytes) return { bytes, value: bytes }
    return undefined
  } catch {
    return undefined
  }
}

interface State {
  signer: Signer
  x25519Secret: Uint8Array
  x25519Public: Uint8Array
  id: Uint8Array
  records: ChannelRecord[]
  head: Uint8Array
  epoch: number
  keys: Map<number, Uint8Array>
  readers: Uint8Array[]
}

/** The owner's handle on one channel. Every method appends one signed record and returns it. */
export class Channel {
  readonly #s: State

  /** Use `createChannel` or `openChannel`. */
  constructor(state: State) {
    this.#s = state
  }

  get id(): Uint8Array {
    return this.#s.id
  }
  get owner(): Uint8Array {
    return this.#s.signer.publicKey
  }
  /** sha256 of the last record: what goes into the period's attestation batch */
  get head(): Uint8Array {
    return this.#s.head
  }
  get records(): readonly ChannelRecord[] {
    return this.#s.records.slice()
  }
  get epoch(): number {
    return this.#s.epoch
  }
  /** X25519 public keys of the current epoch's readers */
  get readers(): readonly Uint8Array[] {
    return this.#s.readers.slice()
  }
  /** channel id, last index, epoch and head: the leaf for the period's attestation batch */
  get tip(): ChannelTip {
    return { channelId: this.#s.id, index: this.#s.records.length - 1, epoch: this.#s.epoch, head: this.#s.head }
  }

  #push(
    kind: RecordKind,
    epoch: number,
    nonce: Uint8Array,
    body: Uint8Array | ((header: Uint8Array) => Uint8Array),
    bodyLength?: number
  ): ChannelRecord {
    const s = this.#s
    const fields = { version: RECORD_VERSION, kind, channelId: s.id, index: s.records.length, prev: s.head, epoch, nonce }
    const b = typeof body === 'function' ? body(encodeHeader(fields, bodyLength!)) : body
    const unsigned = { ...fields, body: b }
    const record: ChannelRecord = { ...unsigned, signature: s.signer.sign(signedBytes(unsigned)) }
    s.records.push(record)
    s.head = recordHash(record)
    return record
  }

  #control(kind: RecordKind, epoch: number, key: Uint8Array, readers: Uint8Array[]): ChannelRecord {
    const s = this.#s
    const wraps: Wrap[] = [wrapFor(s.x25519Public, ownerKeyring(key, readers), s.id, epoch)]
    for (const r of readers) wraps.push(wrapFor(r, key, s.id, epoch))
    const record = this.#push(kind, epoch, ZERO_NONCE, encodeControl({ wraps }))
    s.epoch = epoch
    s.keys.set(epoch, key)
    s.readers = readers
    return record
  }

  /** Encrypts `payload` (bytes, or a JSON-serialisable object) under the current epoch's key and appends it. */
  append(payload: Uint8Array | object): ChannelRecord {
    const s = this.#s
    const plain = encodePayload(payload)
    const nonce = randomBytes(NONCE_BYTES)
    const key = s.keys.get(s.epoch)!
    return this.#push(RecordKind.data, s.epoch, nonce, header => xchacha20poly1305(key, nonce, header).encrypt(plain), plain.length + 16)
  }

  /** Wraps the current epoch's key for `reader` (it reads this whole epoch and later ones until revoked). */
  grant(reader: ReaderKey): ChannelRecord {
    const s = this.#s
    const x = readerX25519(reader)
    if (sameBytes(x, s.x25519Public)) throw new ReaderError('the owner reads its own channel without a grant')
    if (s.readers.some(r => sameBytes(r, x))) throw new ReaderError('this reader is already granted the current epoch')
    if (s.readers.length >= MAX_READERS) throw new OversizedChannelDataError('readers', s.readers.length + 1, MAX_READERS)
    const key = s.keys.get(s.epoch)!
    const readers = [...s.readers, x]
    const wraps: Wrap[] = [wrapFor(s.x25519Public, ownerKeyring(key, readers), s.id, s.epoch), wrapFor(x, key, s.id, s.epoch)]
    const record = this.#push(RecordKind.grant, s.epoch, ZERO_NONCE, encodeControl({ wraps }))
    s.readers = readers
    return record
  }

  /** Starts a new epoch with a fresh key for the current readers (nothing written after it is readable with older keys). */
  rotate(): ChannelRecord {
    return this.#control(RecordKind.rotate, this.#s.epoch + 1, newContentKey(), this.#s.readers.slice())
  }

  /** Rotates to a new epoch whose key is wrapped for every reader except `reader`. */
  revoke(reader: ReaderKey): ChannelRecord {
    const s = this.#s
    const x = readerX25519(reader)
    if (!s.readers.some(r => sameBytes(r, x))) throw new ReaderError('this reader holds no grant in the current epoch')
    return this.#control(
      RecordKind.rotate,
      s.epoch + 1,
      newContentKey(),
      s.readers.filter(r => !sameBytes(r, x))
    )
  }
}

function ownerState(ownerSeed: Uint8Array): Pick<State, 'signer' | 'x25519Secret' | 'x25519Public'> {
  const signer = signerFromSeed(ownerSeed)
  const x25519Secret = x25519SecretOf(ownerSeed)
  return { signer, x25519Secret, x25519Public: x25519PublicOfSecret(x25519Secret) }
}

/** A new channel owned by the key of `ownerSeed` (a 32-byte Ed25519 seed); writes its open record. */
export function createChannel(ownerSeed: Uint8Array): Channel {
  const o = ownerState(ownerSeed)
  const channelNonce = newChannelNonce()
  const id = channelIdOf(o.signer.publicKey, channelNonce)
  const key = newContentKey()
  const body = encodeControl({ owner: o.signer.publicKey, channelNonce, wraps: [wrapFor(o.x25519Public, ownerKeyring(key, []), id, 0)] })
  const unsigned = {
    version: RECORD_VERSION,
    kind: RecordKind.open,
    channelId: id,
    index: 0,
    prev: ZERO_HASH,
    epoch: 0,
    nonce: ZERO_NONCE,
    body
  }
  const record: ChannelRecord = { ...unsigned, signature: o.signer.sign(signedBytes(unsigned)) }
  return new Channel({ ...o, id, records: [record], head: recordHash(record), epoch: 0, keys: new Map([[0, key]]), readers: [] })
}

/**
 * Resumes a channel after a restart from its records alone: verifies the chain against the owner's
 * key, then recovers every epoch key and the reader set from the owner's own wraps.
 * Throws `ChannelChainError` if the chain does not verify or is not this owner's.
 */
export function openChannel(ownerSeed: Uint8Array, records: readonly ChannelRecord[]): Channel {
  const o = ownerState(ownerSeed)
  const check = verifyChain(records, o.signer.publicKey)
  if (!check.ok) throw new ChannelChainError(check.problem!, `cannot open channel: ${check.message}`, check.index)
  const id = records[0].channelId
  const keys = new Map<number, Uint8Array>()
  let readers: Uint8Array[] = []
  let epoch = 0
  records.forEach((r, i) => {
    if (r.kind === RecordKind.data) return
    const { wraps } = decodeControl(r.body, r.kind === RecordKind.open)
    const plain = unwrap(wraps[0], o.x25519Secret, o.x25519Public, id, r.epoch)
    if (plain == null)
      throw new ChannelChainError('owner-keyring', `cannot open channel: record ${i}'s owner wrap does not open with this seed`, i)
    const ring = parseOwnerKeyring(plain)
    keys.set(r.epoch, ring.contentKey)
    readers = ring.readers
    epoch = r.epoch
  })
  return new Channel({ ...o, id, records: records.slice(), head: recordHash(records[records.length - 1]), epoch, keys, readers })
}

export interface ReadEntry {
  readonly index: number
  readonly epoch: number
  /** the payload bytes (UTF-8 JSON for an object payload) */
  readonly bytes: Uint8Array
  /** the parsed object for a JSON payload, else the bytes */
  readonly value: unknown
}

export interface ReadResult {
  /** the chain check; when it fails, only records before `chain.index` are read */
  readonly chain: ChainCheck
  readonly owner: Uint8Array | undefined
  readonly channelId: Uint8Array | undefined
  /** data records this reader could decrypt, in order */
  readonly entries: readonly ReadEntry[]
  /** data records this reader holds no key for (never granted that epoch, or revoked before it) */
  readonly unreadable: readonly { readonly index: number; readonly epoch: number }[]
  /** epochs whose content key this reader holds */
  readonly epochs: readonly number[]
}

/**
 * Reads a channel as `reader` (its Ed25519 seed, or `{ x25519Secret }`); the owner reads with its own
 * seed. The chain is verified first against `options.owner`, or else the owner named in the open
 * record (the channel id commits to it: check `channelId` against the id you expected).
 */
export function readChannel(records: readonly ChannelRecord[], reader: ReaderSecret, options: { owner?: Uint8Array } = {}): ReadResult {
  let owner = options.owner
  if (owner == null && records.length > 0 && records[0].kind === RecordKind.open) {
    try {
      owner = decodeControl(records[0].body, true).owner
    } catch {
      /* verifyChain names it */
    }
  }
  const chain = owner == null ? verifyChain(records, new Uint8Array(32)) : verifyChain(records, owner)
  const upto = chain.ok ? records.length : (chain.index ?? 0)
  const { secret, publicKey } = secretX25519(reader)
  const keys = new Map<number, Uint8Array>()
  const entries: ReadEntry[] = []
  const unreadable: { index: number; epoch: number }[] = []
  // Keys first (a grant covers its whole epoch, records before the grant included), then the data.
  for (let i = 0; i < upto; i++) {
    const r = records[i]
    if (r.kind === RecordKind.data || keys.has(r.epoch)) continue
    for (const w of decodeControl(r.body, r.kind === RecordKind.open).wraps) {
      const plain = unwrap(w, secret, publicKey, r.channelId, r.epoch)
      if (plain != null && plain.length >= KEY_BYTES) {
        keys.set(r.epoch, plain.slice(0, KEY_BYTES))
        break
      }
    }
  }
  for (let i = 0; i < upto; i++) {
    const r = records[i]
    if (r.kind !== RecordKind.data) continue
    const key = keys.get(r.epoch)
    const got = key == null ? undefined : decryptData(r, key)
    if (got == null) unreadable.push({ index: r.index, epoch: r.epoch })
    else entries.push({ index: r.index, epoch: r.epoch, ...got })
  }
  return { chain, owner, channelId: records[0]?.channelId, entries, unreadable, epochs: [...keys.keys()].sort((a, b) => a - b) }
}
