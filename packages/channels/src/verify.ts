import { verifySignature } from '@kvartal/protocol'
import { decodeControl } from './control.ts'
import {
  channelIdOf,
  kindName,
  recordHash,
  RecordKind,
  RECORD_VERSION,
  sameBytes,
  shortHex,
  signedBytes,
  ZERO_HASH,
  ZERO_NONCE,
  type ChannelRecord
} from './record.ts'

/** What breaks a chain. Stable codes: tests and callers match on these. */
export const ChainProblem = {
  empty: 'empty',
  wrongOwner: 'wrong-owner',
  wrongChannel: 'wrong-channel',
  missing: 'missing',
  outOfOrder: 'out-of-order',
  badSignature: 'bad-signature',
  badLink: 'bad-link',
  badEpoch: 'bad-epoch',
  badKind: 'bad-kind',
  malformed: 'malformed',
  headMismatch: 'head-mismatch'
} as const
export type ChainProblem = (typeof ChainProblem)[keyof typeof ChainProblem]

export interface ChainCheck {
  readonly ok: boolean
  readonly problem?: ChainProblem
  /** position in `records` of the first record that breaks the chain */
  readonly index?: number
  /** for people: what is wrong, where */
  readonly message?: string
}

/** Where a verified chain ends: what an attestation batch commits to, and where replication resumes. */
export interface ChannelTip {
  readonly channelId: Uint8Array
  /** index of the last record */
  readonly index: number
  readonly epoch: number
  /** hash of the last record */
  readonly head: Uint8Array
}

export interface VerifyOptions {
  /** the head the caller trusts (e.g. from an IOTA attestation); a chain cut short then fails */
  readonly head?: Uint8Array
  /**
   * Verify only a continuation: `records` are the records after this already-verified tip (index
   * tip.index + 1 onwards), as a replica receives them. Positions in the result stay positions in `records`.
   */
  readonly since?: ChannelTip
}

const fail = (problem: ChainProblem, index: number, message: string): ChainCheck => ({
  ok: false,
  problem,
  index,
  message: `record ${index}: ${message}`
})

/**
 * Checks a whole channel without any key: record 0 is the open record and its channel id is the hash
 * of `ownerPublicKey` and the channel nonce; every record is signed by that owner, names the same
 * channel, carries index = its position, links to the hash of the one before it; epochs start at 0,
 * a rotate record raises the epoch by exactly one and every other record stays in the current epoch;
 * control bodies parse. The first problem found is reported. A record dropped from the end is only
 * visible against a trusted head (`options.head`).
 */
export function verifyChain(records: readonly ChannelRecord[], ownerPublicKey: Uint8Array, options: VerifyOptions = {}): ChainCheck {
  const since = options.since
  if (records.length === 0 && since == null)
    return { ok: false, problem: ChainProblem.empty, message: 'no records: a channel starts with its open record' }
  let prev = since?.head ?? ZERO_HASH
  let epoch = since?.epoch ?? 0
  const first = since == null ? 0 : since.index + 1
  const channelId = since?.channelId ?? records[0].channelId
  for (let i = 0; i < records.length; i++) {
    const r = records[i]
    const want = first + i
    if (r.index !== want) {
      const elsewhere = records.some((o, j) => j !== i && o.index === want)
      return elsewhere
        ? fail(ChainProblem.outOfOrder, i, `has index ${r.index} where index ${want} belongs; the records are out of order`)
        : fail(ChainProblem.missing, i, `has index ${r.index} where index ${want} belongs; record ${want} is missing`)
    }
    if (r.version !== RECORD_VERSION) return fail(ChainProblem.malformed, i, `record version ${r.version} is not supported`)
    if (want === 0) {
      if (r.kind !== RecordKind.open)
        return fail(ChainProblem.badKind, 0, `the first record must be an open record, not ${kindName(r.kind)}`)
      let open: ReturnType<typeof decodeControl>
      try {
        open = decodeControl(r.body, true)
      } catch (err) {
        return fail(ChainProblem.malformed, 0, (err as Error).message)
      }
      if (!sameBytes(open.owner!, ownerPublicKey) || !sameBytes(channelIdOf(ownerPublicKey, open.channelNonce!), r.channelId)) {
        return fail(ChainProblem.wrongOwner, 0, 'the channel does not belong to the given owner key')
      }
    } else {
      if (!sameBytes(r.channelId, channelId))
        return fail(ChainProblem.wrongChannel, i, `belongs to channel ${shortHex(r.channelId)}, not ${shortHex(channelId)}`)
      if (r.kind === RecordKind.open) return fail(ChainProblem.badKind, i, 'only the first record may be an open record')
    }
    if (!verifySignature(ownerPublicKey, signedBytes(r), r.signature))
      return fail(ChainProblem.badSignature, i, "the owner's signature does not verify (edited or forged)")
    if (!sameBytes(r.prev, prev))
      return fail(ChainProblem.badLink, i, `does not link to the record before it (${shortHex(r.prev)} ≠ ${shortHex(prev)})`)
    const wantEpoch = r.kind === RecordKind.rotate ? epoch + 1 : epoch
    if (r.epoch !== wantEpoch)
      return fail(ChainProblem.badEpoch, i, `${kindName(r.kind)} record in epoch ${r.epoch}, expected ${wantEpoch}`)
    if (r.kind !== RecordKind.data && !sameBytes(r.nonce, ZERO_NONCE))
      return fail(ChainProblem.malformed, i, "a control record's nonce must be zero")
    epoch = r.epoch
    if (r.kind === RecordKind.grant || r.kind === RecordKind.rotate) {
      try {
        decodeControl(r.body, false)
      } catch (err) {
        return fail(ChainProblem.malformed, i, (err as Error).message)
      }
    }
    if (r.kind === RecordKind.data && r.body.length < 17)
      return fail(ChainProblem.malformed, i, "a data record's ciphertext is at least 17 bytes")
    prev = recordHash(r)
  }
  if (options.head != null && !sameBytes(prev, options.head)) {
    return {
      ok: false,
      problem: ChainProblem.headMismatch,
      index: records.length,
      message:
        `the chain ends at ${shortHex(prev)}, not at the trusted head ` +
        `${shortHex(options.head)}: records are missing or added at the end`
    }
  }
  return { ok: true }
}

/** The tip of a non-empty chain (verify it first): channel id, last index, epoch and head. */
export function channelTip(records: readonly ChannelRecord[]): ChannelTip {
  if (records.length === 0) throw new RangeError('an empty list of records has no tip')
  const last = records[records.length - 1]
  return { channelId: last.channelId, index: last.index, epoch: last.epoch, head: recordHash(last) }
}
