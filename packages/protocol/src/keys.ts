import { createHash, createPrivateKey, createPublicKey, randomBytes, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto'
import { blake2b } from '@noble/hashes/blake2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

/**
 * One Ed25519 key per node. The 32-byte public key is the trader id on the wire, the libp2p PeerId
 * (identity multihash of the same key) and, hashed as IOTA Rebased does, the node's IOTA address.
 */
export interface Signer {
  readonly publicKey: Uint8Array
  sign(message: Uint8Array): Uint8Array
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export function generateSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32))
}

/** A signer from a 32-byte Ed25519 seed (the private key as RFC 8032 defines it). */
export function signerFromSeed(seed: Uint8Array): Signer {
  if (seed.length !== 32) throw new RangeError(`an Ed25519 seed is 32 bytes, got ${seed.length}`)
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length))
  return {
    publicKey,
    sign: message => new Uint8Array(edSign(null, message, privateKey))
  }
}

// Building a KeyObject costs about as much as a verify; nodes see the same few dozen keys again and again.
const keyCache = new Map<string, KeyObject>()
const KEY_CACHE_MAX = 4096

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('base64')
  let key = keyCache.get(id)
  if (key == null) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' })
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!)
    keyCache.set(id, key)
  }
  return key
}

/**
 * A simulator plays every node of a district in one process, and every node checks the same gossiped
 * envelope: the answer is the same for all of them. With the memo on, a check's answer is kept under
 * sha256(public key ‖ signature ‖ message) — exactly the inputs of the check, so a forged message, a
 * signature moved onto other bytes or another key are new checks — and every other node of the process
 * reuses it. A real node never turns it on: it checks everything it receives. Bounded (oldest dropped).
 */
const MEMO_MAX = 200_000
let memo: Map<string, boolean> | undefined
let memoMax = MEMO_MAX
export const verificationMemoStats = { hits: 0, misses: 0 }

/**
 * Turns the process-wide memo of signature checks on (simulator) or off (the default; a real node). `max`: how many
 * answers it keeps (200,000 unless set; a whole number ≥ 1), the oldest dropped first.
 */
export function shareVerification(on: boolean, o: { max?: number } = {}): void {
  const max = o.max ?? MEMO_MAX
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`the memo keeps a whole number of answers, at least 1, got ${max}`)
  memoMax = max
  memo = on ? (memo ?? new Map()) : undefined
  verificationMemoStats.hits = 0
  verificationMemoStats.misses = 0
}

function check(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return edVerify(null, message, publicKeyObject(publicKey), signature)
  } catch {
    return false
  }
}

/** True when `signature` is `publicKey`'s Ed25519 signature of `message`. Never throws on bad input. */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  if (memo == null) return check(publicKey, message, signature)
  const key = createHash('sha256').update(publicKey).update(signature).update(message).digest('base64')
  const known = memo.get(key)
  if (known != null) {
    verificationMemoStats.hits++
    return known
  }
  verificationMemoStats.misses++
  const ok = check(publicKey, message, signature)
  while (memo.size >= memoMax) memo.delete(memo.keys().next().value!)
  memo.set(key, ok)
  return ok
}

/**
 * IOTA Rebased address of an Ed25519 key, 0x-prefixed hex. Unlike Sui and IOTA's other schemes, whose
 * address hashes flag ‖ key, IOTA Rebased hashes an Ed25519 key alone: blake2b-256(public key).
 * Checked against `@iota/iota-sdk`'s `Ed25519PublicKey.toIotaAddress()` in the tests.
 */
export function iotaAddress(publicKey: Uint8Array): string {
  return '0x' + bytesToHex(blake2b(publicKey, { dkLen: 32 }))
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}
/** Short, stable label for logs and tables. */
export function shortId(publicKey: Uint8Array): string {
  return toHex(publicKey).slice(0, 8)
}
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
}
