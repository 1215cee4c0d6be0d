/**
 * Helpers for the tests that hand-make what the library never writes: records signed by the real owner
 * (so that the signature passes and the check under test is the one that answers), data records with a
 * payload of the test's choosing, and the error a call throws. Parties have fixed seeds, so every key is
 * the same on every run (nonces and content keys are still random, and no assertion depends on them).
 */
import { expect } from 'vitest'
import { signerFromSeed, toHex } from '@kvartal/protocol'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { recordHash, RecordKind, type ChannelRecord } from '../src/index.ts'
import { encodeHeader, signedBytes, ZERO_NONCE } from '../src/record.ts'
import { decodeControl, unwrap, x25519PublicOf, x25519SecretOf } from '../src/control.ts'

/** A party with a fixed Ed25519 seed (32 × `n`). */
export function party(n: number): { seed: Uint8Array; publicKey: Uint8Array; x25519: Uint8Array; x25519Secret: Uint8Array } {
  const seed = new Uint8Array(32).fill(n)
  const publicKey = signerFromSeed(seed).publicKey
  return { seed, publicKey, x25519: x25519PublicOf(publicKey), x25519Secret: x25519SecretOf(seed) }
}

/** `r` with `changes`, signed again by the owner of `seed`. */
export function resign(r: ChannelRecord, seed: Uint8Array, changes: Partial<ChannelRecord> = {}): ChannelRecord {
  const { signature: _old, ...unsigned } = { ...r, ...changes }
  return { ...unsigned, signature: signerFromSeed(seed).sign(signedBytes(unsigned)) }
}

/** `records` and one more, made by hand: the next index, linked to the last record, signed by the owner of `seed`. */
export function forgeNext(
  records: readonly ChannelRecord[],
  seed: Uint8Array,
  fields: { kind: RecordKind; epoch: number; body: Uint8Array; nonce?: Uint8Array }
): ChannelRecord[] {
  const last = records[records.length - 1]
  const unsigned = {
    version: 1,
    kind: fields.kind,
    channelId: last.channelId,
    index: last.index + 1,
    prev: recordHash(last),
    epoch: fields.epoch,
    nonce: fields.nonce ?? ZERO_NONCE,
    body: fields.body
  }
  return [...records, { ...unsigned, signature: signerFromSeed(seed).sign(signedBytes(unsigned)) }]
}

/** The content key of `epoch`, from the owner's own wrap (wraps[0]) of that epoch's first control record. */
export function ownerContentKey(records: readonly ChannelRecord[], ownerSeed: Uint8Array, epoch: number): Uint8Array {
  const r = records.find(x => x.kind !== RecordKind.data && x.epoch === epoch)!
  const secret = x25519SecretOf(ownerSeed)
  const plain = unwrap(
    decodeControl(r.body, r.kind === RecordKind.open).wraps[0],
    secret,
    x25519PublicOf(signerFromSeed(ownerSeed).publicKey),
    r.channelId,
    epoch
  )
  return plain!.slice(0, 32)
}

/**
 * `records` and a data record whose plaintext (type byte ‖ payload) is `plain`, encrypted under `key` and signed by the
 * owner of `seed`.
 */
export function forgeData(
  records: readonly ChannelRecord[],
  seed: Uint8Array,
  key: Uint8Array,
  epoch: number,
  plain: Uint8Array
): ChannelRecord[] {
  const last = records[records.length - 1]
  const nonce = new Uint8Array(24).fill(records.length)
  const fields = {
    version: 1,
    kind: RecordKind.data,
    channelId: last.channelId,
    index: last.index + 1,
    prev: recordHash(last),
    epoch,
    nonce
  }
  const body = xchacha20poly1305(key, nonce, encodeHeader(fields, plain.length + 16)).encrypt(plain)
  const unsigned = { ...fields, body }
  return [...records, { ...unsigned, signature: signerFromSeed(seed).sign(signedBytes(unsigned)) }]
}

/** The error `fn` throws (the test fails if it returns). */
export function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  return expect.unreachable('expected an error')
}

/** How chain messages abbreviate a hash: its first 12 hex digits and an ellipsis. */
export const short = (b: Uint8Array): string => `${toHex(b).slice(0, 12)}…`
