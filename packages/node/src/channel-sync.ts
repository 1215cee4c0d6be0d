import { decodeRecord, encodeRecord, MAX_RECORD_BYTES, type ChannelRecord } from '@kvartal/channels'
import { handleChannels, openChannel as openStream, type FramedChannel } from '@kvartal/mesh'
import { ConfigError, fromHex, KvartalError, toHex } from '@kvartal/protocol'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { channelIdHex, ChannelStoreError, type ChannelStore, type StoredChannel } from './channel-store.ts'

/**
 * Channel replication over libp2p streams: a node pulls the records of a channel it lacks from a peer
 * that holds them, verifies them, and stores them in its `ChannelStore`.
 *
 * Who may pull: anyone. Records are encrypted per epoch, so holding a replica reveals only sizes,
 * timing and reader counts, never content; reading needs a grant (a key wrapped for the reader in
 * the chain itself), and verifying needs no key at all. Serving is therefore not access control —
 * it is availability: a reader can fetch a channel from any node that holds it, and an owner that is
 * offline loses no readers.
 *
 * Wire, protocol `/kvartal/channel/1`, one request per stream, length-prefixed frames:
 *   request   channel id (32 bytes) ‖ fromIndex (u32, big-endian)                    — exactly 36 bytes
 *   response  one frame per record, its canonical `encodeRecord` bytes, from fromIndex on, in order;
 *             then one empty frame: the end. A channel not held (or nothing from fromIndex) is just
 *             the empty frame.
 * The responder sends at most `maxRecordsPerRequest` records and stops adding records once
 * `maxResponseBytes` is reached (always at least one, so a record of MAX_RECORD_BYTES still passes).
 * The puller asks from its own tip + 1 and repeats until a response is empty, so it never needs to
 * know the responder's limits; it reads at most its own limits per response and hangs up beyond them.
 *
 * Trust: the puller checks that every record names the channel it asked for, from the index it
 * asked, then `ChannelStore.ingest` verifies the batch against the owner key (the open record's,
 * which the channel id commits to, or the stored one) as a continuation of the stored head. A batch
 * that fails is refused whole: nothing of it is stored (`ChannelSyncError`, with the store's refusal
 * as `cause`); batches verified in earlier rounds of the same pull stay stored.
 */
export const CHANNEL_SYNC_PROTOCOL = '/kvartal/channel/1'

const REQUEST_BYTES = 36
// indices are u32 on the wire (as in a record)
const MAX_INDEX = 0xffff_ffff

export const defaultChannelSyncOptions = {
  // a trip's records are a few hundred bytes each: 256 catches up a busy day's channel in one round trip
  maxRecordsPerRequest: 256,
  // bounds one response in memory on an edge box; below the 4 MiB read buffer of a libp2p stream
  // (a response is at most this plus one record)
  maxResponseBytes: 1024 * 1024,
  // one frame on a LAN answers in milliseconds; a stalled peer must not hold a stream (framed channel's default)
  frameTimeoutMs: 5_000,
  // a whole response, however slowly a peer drips its frames
  requestTimeoutMs: 30_000,
  // concurrent pulls served; each holds at most one response in memory
  maxInboundStreams: 32
} as const

export interface ChannelSyncInit {
  host: Libp2p
  store: ChannelStore
  /** the node's lifetime: aborting it ends every pull and every response in flight */
  signal?: AbortSignal
  maxRecordsPerRequest?: number
  maxResponseBytes?: number
  frameTimeoutMs?: number
  requestTimeoutMs?: number
  maxInboundStreams?: number
}

export interface PullOptions {
  signal?: AbortSignal
  /** the owner key the caller expects (e.g. from an invitation); otherwise the channel id vouches for the owner */
  owner?: Uint8Array
}

export interface PullResult {
  /** records newly stored by this pull */
  readonly received: number
  /** the local tip after it; undefined if neither side holds the channel */
  readonly tip: StoredChannel | undefined
}

export interface ChannelSync {
  /** registers the protocol handler: this node serves the channels in its store */
  start(): Promise<void>
  /** unregisters it */
  stop(): Promise<void>
  /** fetches what `peer` holds of the channel beyond the local tip, verifies it and stores it */
  pull(peer: PeerId | Multiaddr[], channelId: string, options?: PullOptions): Promise<PullResult>
}

export const ChannelSyncErrorCode = {
  /** a frame is not what the protocol allows (request size, undecodable record) */
  malformed: 'malformed',
  /** a well-formed record that was not asked for: another channel, or another index */
  unexpected: 'unexpected',
  /** the records do not verify (forged, edited, reordered, not the owner's): see `cause` */
  invalid: 'invalid',
  /** the peer serves another history of the channel than the one held here */
  fork: 'fork',
  /** the channel is not owned by the key the caller expected (`PullOptions.owner`) */
  wrongOwner: 'wrong-owner',
  /** the stream failed: dial, timeout, reset */
  transport: 'transport'
} as const
export type ChannelSyncErrorCode = (typeof ChannelSyncErrorCode)[keyof typeof ChannelSyncErrorCode]

/** A pull or a response failed; for a pull nothing of the failing response was stored. */
export class ChannelSyncError extends KvartalError {
  declare readonly code: ChannelSyncErrorCode
  constructor(code: ChannelSyncErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options)
    this.name = 'ChannelSyncError'
  }
}

export function encodeSyncRequest(channelId: string, fromIndex: number): Uint8Array {
  const out = new Uint8Array(REQUEST_BYTES)
  out.set(fromHex(channelIdHex(channelId)), 0)
  new DataView(out.buffer).setUint32(32, fromIndex)
  return out
}

export function decodeSyncRequest(frame: Uint8Array): { channelId: string; fromIndex: number } {
  if (frame.length !== REQUEST_BYTES)
    throw new ChannelSyncError(ChannelSyncErrorCode.malformed, `a channel request is ${REQUEST_BYTES} bytes, got ${frame.length}`)
  return { channelId: toHex(frame.subarray(0, 32)), fromIndex: new DataView(frame.buffer, frame.byteOffset, frame.length).getUint32(32) }
}

const signalOf = (...signals: Array<AbortSignal | undefined>): AbortSignal =>
  AbortSignal.any(signals.filter((s): s is AbortSignal => s != null))

function describe(peer: PeerId | Multiaddr[]): string {
  return Array.isArray(peer) ? peer.map(String).join(',') : peer.toString()
}

/** The replication service of one node: serves its store and pulls into it. */
export function channelSync(init: ChannelSyncInit): ChannelSync {
  const d = defaultChannelSyncOptions
  const o = {
    maxRecordsPerRequest: init.maxRecordsPerRequest ?? d.maxRecordsPerRequest,
    maxResponseBytes: init.maxResponseBytes ?? d.maxResponseBytes,
    frameTimeoutMs: init.frameTimeoutMs ?? d.frameTimeoutMs,
    requestTimeoutMs: init.requestTimeoutMs ?? d.requestTimeoutMs,
    maxInboundStreams: init.maxInboundStreams ?? d.maxInboundStreams
  }
  for (const [field, value] of Object.entries(o)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(`channelSync.${field}`, `must be a positive integer, got ${value}`)
  }
  const { host, store } = init
  const framing = { maxFrameBytes: MAX_RECORD_BYTES, frameTimeoutMs: o.frameTimeoutMs }

  async function serve(stream: FramedChannel): Promise<void> {
    const signal = signalOf(init.signal, AbortSignal.timeout(o.requestTimeoutMs))
    const { channelId, fromIndex } = decodeSyncRequest(await stream.receive({ signal }))
    // read from the store one record at a time: memory holds one record, whatever the limits
    let bytes = 0
    for await (const r of store.scan(channelId, fromIndex, o.maxRecordsPerRequest)) {
      const frame = encodeRecord(r)
      await stream.send(frame, { signal })
      bytes += frame.length
      if (bytes >= o.maxResponseBytes) break
    }
    await stream.send(new Uint8Array(0), { signal })
  }

  /** one request: the records the peer sends, within this node's limits */
  async function request(peer: PeerId | Multiaddr[], channelId: string, fromIndex: number, outer: AbortSignal): Promise<ChannelRecord[]> {
    // the caller's signal ends the pull; the request deadline is the peer's fault, a transport error
    const signal = signalOf(outer, AbortSignal.timeout(o.requestTimeoutMs))
    let stream: FramedChannel
    try {
      stream = await openStream(host, peer, CHANNEL_SYNC_PROTOCOL, { ...framing, signal })
    } catch (err) {
      if (outer.aborted) throw outer.reason
      throw new ChannelSyncError(
        ChannelSyncErrorCode.transport,
        `cannot open ${CHANNEL_SYNC_PROTOCOL} to ${describe(peer)}: ${(err as Error).message}`,
        { cause: err }
      )
    }
    const records: ChannelRecord[] = []
    let complete = false
    try {
      await stream.send(encodeSyncRequest(channelId, fromIndex), { signal })
      let bytes = 0
      for (;;) {
        const frame = await stream.receive({ signal })
        if (frame.length === 0) {
          complete = true
          break
        }
        // a record beyond this node's limits is dropped unread; one frame is bounded by MAX_RECORD_BYTES
        if (records.length >= o.maxRecordsPerRequest || bytes >= o.maxResponseBytes) break
        let r: ChannelRecord
        try {
          r = decodeRecord(frame)
        } catch (err) {
          throw new ChannelSyncError(
            ChannelSyncErrorCode.malformed,
            `${stream.remotePeer} sent a frame that is not a channel record: ${(err as Error).message}`,
            { cause: err }
          )
        }
        const want = fromIndex + records.length
        if (toHex(r.channelId) !== channelId || r.index !== want) {
          throw new ChannelSyncError(
            ChannelSyncErrorCode.unexpected,
            `${stream.remotePeer} sent record ${r.index} of channel ${toHex(r.channelId)} where record ${want} of ${channelId} belongs`
          )
        }
        records.push(r)
        bytes += frame.length
      }
    } catch (err) {
      stream.abort(err as Error)
      if (err instanceof ChannelSyncError) throw err
      if (outer.aborted) throw outer.reason
      throw new ChannelSyncError(
        ChannelSyncErrorCode.transport,
        `channel request to ${stream.remotePeer} failed: ${(err as Error).message}`,
        { cause: err }
      )
    }
    // past our limits the rest is not read: hang up, keep what came (the next round asks for the rest)
    if (complete) await stream.close()
    else stream.abort(new Error("response exceeds this node's limits"))
    return records
  }

  return {
    async start() {
      await handleChannels(host, CHANNEL_SYNC_PROTOCOL, serve, { ...framing, maxInboundStreams: o.maxInboundStreams })
    },

    async stop() {
      await host.unhandle(CHANNEL_SYNC_PROTOCOL)
    },

    async pull(peer, channelId, options = {}) {
      const id = channelIdHex(channelId)
      const signal = signalOf(init.signal, options.signal)
      let received = 0
      for (;;) {
        signal.throwIfAborted()
        const tip = await store.tip(id)
        const fromIndex = tip == null ? 0 : tip.index + 1
        if (fromIndex > MAX_INDEX) return { received, tip }
        const batch = await request(peer, id, fromIndex, signal)
        if (batch.length === 0) return { received, tip }
        try {
          received += (await store.ingest(batch, options.owner)).stored
        } catch (err) {
          if (!(err instanceof ChannelStoreError)) throw err
          const code =
            err.code === 'fork'
              ? ChannelSyncErrorCode.fork
              : err.code === 'wrong-owner'
                ? ChannelSyncErrorCode.wrongOwner
                : ChannelSyncErrorCode.invalid
          throw new ChannelSyncError(
            code,
            `refused records ${fromIndex}–${fromIndex + batch.length - 1} of channel ` +
              `${id} from ${describe(peer)}; none of them was stored: ${err.message}`,
            { cause: err }
          )
        }
      }
    }
  }
}
