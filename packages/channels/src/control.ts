import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { randomBytes } from '@noble/ciphers/utils.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { signingDomain } from '@kvartal/protocol'
import { MalformedRecordError, OversizedChannelDataError } from './errors.ts'
import { MAX_READERS } from './record.ts'

/**
 * Key wrapping and the body of control records.
 *
 * A wrap = ephemeral X25519 key pair; shared = x25519(ephemeral secret, recipient public);
 * (kek ‖ nonce) = HKDF-SHA256(ikm = shared, salt = ephemeral public ‖ recipient public,
 * info = `kvartal/v1/channel-wrap\n` ‖ channel id ‖ epoch u32, 56 bytes);
 * wrapped = XChaCha20-Poly1305(kek, nonce).encrypt(plaintext). Each wrap has its own ephemeral key,
 * so every kek is used once; binding channel id and epoch in `info` stops a wrap being replayed into
 * another channel or epoch.
 *
 * Control body layout (big-endian):
 *   open:          owner Ed25519 public key (32) ‖ channel nonce (16) ‖ wraps
 *   grant, rotate: wraps
 *   wraps:         count u16 ‖ count × (ephemeral public (32) ‖ length u16 ‖ wrapped (length))
 * wraps[0] is always the owner's own wrap: plaintext = content key (32) ‖ the epoch's reader X25519
 * public keys (32 each). Every other wrap is one reader's: plaintext = content key (32). Reader wraps
 * carry no recipient label: a reader finds its own by trying to open each (one X25519 per wrap), so
 * whoever holds the chain learns how many readers there are, not who they are.
 */
export const KEY_BYTES = 32
const WRAP_OKM = KEY_BYTES + 24
export const CHANNEL_NONCE_BYTES = 16

export interface Wrap {
  readonly ephemeral: Uint8Array
  readonly wrapped: Uint8Array
}
export interface ControlBody {
  /** open record only */
  readonly owner?: Uint8Array
  /** open record only */
  readonly channelNonce?: Uint8Array
  readonly wraps: readonly Wrap[]
}

/** X25519 public key of an Ed25519 public key (birational map, RFC 7748 §4.1). */
export function x25519PublicOf(ed25519PublicKey: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomery(ed25519PublicKey)
}
/** X25519 secret of an Ed25519 seed (the clamped first half of sha512(seed), as Ed25519 itself uses). */
export function x25519SecretOf(ed25519Seed: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomerySecret(ed25519Seed)
}
export function x25519PublicOfSecret(secret: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secret)
}

function wrapInfo(channelId: Uint8Array, epoch: number): Uint8Array {
  const d = signingDomain('channel-wrap')
  const info = new Uint8Array(d.length + 32 + 4)
  info.set(d, 0)
  info.set(channelId, d.length)
  new DataView(info.buffer).setUint32(d.length + 32, epoch)
  return info
}

function kekAndNonce(
  shared: Uint8Array,
  ephemeral: Uint8Array,
  recipient: Uint8Array,
  channelId: Uint8Array,
  epoch: number
): { kek: Uint8Array; nonce: Uint8Array } {
  const salt = new Uint8Array(64)
  salt.set(ephemeral, 0)
  salt.set(recipient, 32)
  const okm = hkdf(sha256, shared, salt, wrapInfo(channelId, epoch), WRAP_OKM)
  return { kek: okm.subarray(0, KEY_BYTES), nonce: okm.subarray(KEY_BYTES) }
}

export function wrapFor(recipientX25519: Uint8Array, plaintext: Uint8Array, channelId: Uint8Array, epoch: number): Wrap {
  const { secretKey, publicKey } = x25519.keygen()
  const shared = x25519.getSharedSecret(secretKey, recipientX25519)
  const { kek, nonce } = kekAndNonce(shared, publicKey, recipientX25519, channelId, epoch)
  return { ephemeral: publicKey, wrapped: xchacha20poly1305(kek, nonce).encrypt(plaintext) }
}

/** The wrap's plaintext if it is addressed to `secret`, else undefined (never throws). */
export function unwrap(
  wrap: Wrap,
  secret: Uint8Array,
  ownPublic: Uint8Array,
  channelId: Uint8Array,
  epoch: number
): Uint8Array | undefined {
  try {
    const shared = x25519.getSharedSecret(secret, wrap.ephemeral)
    const { kek, nonce } = kekAndNonce(shared, wrap.ephemeral, ownPublic, channelId, epoch)
    return xchacha20poly1305(kek, nonce).decrypt(wrap.wrapped)
  } catch {
    return undefined
  }
}

export function newContentKey(): Uint8Array {
  return randomBytes(KEY_BYTES)
}
export function newChannelNonce(): Uint8Array {
  return randomBytes(CHANNEL_NONCE_BYTES)
}

export function encodeControl(body: ControlBody): Uint8Array {
  if (body.wraps.length > MAX_READERS + 1) throw new OversizedChannelDataError('wraps (count)', body.wraps.length, MAX_READERS + 1)
  const head = body.owner != null ? 32 + CHANNEL_NONCE_BYTES : 0
  let size = head + 2
  for (const w of body.wraps) size += 32 + 2 + w.wrapped.length
  const out = new Uint8Array(size)
  const v = new DataView(out.buffer)
  let at = 0
  if (body.owner != null) {
    out.set(body.owner, 0)
    out.set(body.channelNonce!, 32)
    at = head
  }
  v.setUint16(at, body.wraps.length)
  at += 2
  for (const w of body.wraps) {
    if (w.ephemeral.length !== 32 || w.wrapped.length > 0xffff)
      throw new MalformedRecordError('a wrap has a 32-byte ephemeral key and at most 65535 wrapped bytes')
    out.set(w.ephemeral, at)
    at += 32
    v.setUint16(at, w.wrapped.length)
    at += 2
    out.set(w.wrapped, at)
    at += w.wrapped.length
  }
  return out
}

/** Parses a control body; `open` says whether it starts with the owner key and channel nonce. */
export function decodeControl(bytes: Uint8Array, open: boolean): ControlBody {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  let at = 0
  const need = (n: number, what: string): void => {
    if (at + n > bytes.length) throw new MalformedRecordError(`control body ends inside ${what}`)
  }
  let owner: Uint8Array | undefined
  let channelNonce: Uint8Array | undefined
  if (open) {
    need(32 + CHANNEL_NONCE_BYTES, 'the owner key and channel nonce')
    owner = bytes.slice(0, 32)
    channelNonce = bytes.slice(32, 32 + CHANNEL_NONCE_BYTES)
    at = 32 + CHANNEL_NONCE_BYTES
  }
  need(2, 'the wrap count')
  const count = v.getUint16(at)
  at += 2
  if (count < 1) throw new MalformedRecordError("a control record carries at least the owner's wrap")
  if (count > MAX_READERS + 1) throw new OversizedChannelDataError('wraps (count)', count, MAX_READERS + 1)
  const wraps: Wrap[] = []
  for (let i = 0; i < count; i++) {
    need(34, `wrap ${i}`)
    const ephemeral = bytes.slice(at, at + 32)
    at += 32
    const len = v.getUint16(at)
    at += 2
    need(len, `wrap ${i}`)
    wraps.push({ ephemeral, wrapped: bytes.slice(at, at + len) })
    at += len
  }
  if (at !== bytes.length) throw new MalformedRecordError(`control body has ${bytes.length - at} trailing bytes`)
  return { owner, channelNonce, wraps }
}

/** Owner's wrap plaintext: content key ‖ readers. */
export function ownerKeyring(contentKey: Uint8Array, readers: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(KEY_BYTES + 32 * readers.length)
  out.set(contentKey, 0)
  readers.forEach((r, i) => {
    out.set(r, KEY_BYTES + 32 * i)
  })
  return out
}

export function parseOwnerKeyring(plain: Uint8Array): { contentKey: Uint8Array; readers: Uint8Array[] } {
  if (plain.length < KEY_BYTES || (plain.length - KEY_BYTES) % 32 !== 0) throw new MalformedRecordError('owner keyring has a bad length')
  const readers: Uint8Array[] = []
  for (let at = KEY_BYTES; at < plain.length; at += 32) readers.push(plain.slice(at, at + 32))
  return { contentKey: plain.slice(0, KEY_BYTES), readers }
}
