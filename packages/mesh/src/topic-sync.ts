import { createHash } from 'node:crypto'
import { ProtocolError, TOPIC_SYNC_PROTOCOL } from '@kvartal/protocol'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { handleChannels, openChannel, type ChannelMeter, type FramedChannel } from './framed-channel.ts'

/**
 * Catching up on gossip a node missed. Gossipsub delivers a message to the peers in the mesh when it
 * is published and gossips its id for a few heartbeats after; a node whose mesh was still forming at
 * that moment (a district starting, a node restarting, a link that flapped) never sees it, and an
 * announcement is re-published only on schedule — an hour later for an energy offer. So every node
 * keeps the latest valid message per author and topic it accepted or published, and now and then
 * pulls from one peer what that peer holds and it lacks (anti-entropy, as in Demers et al. 1987).
 * Whatever arrives this way goes through the topic's own validator, exactly like gossip: a peer cannot
 * slip in anything that gossip would have refused.
 *
 * Wire, protocol `/kvartal/topics/sync/1`, one exchange per stream, length-prefixed frames. A message's
 * id is the first 16 bytes of sha256 of its bytes; a set's summary is the first 16 bytes of sha256 of
 * its ids in ascending order, concatenated.
 *   puller     0x01 ‖ the summary of the valid messages it holds ‖ the topic codes it takes, one byte
 *              each (none: every topic, as pullers asked before the codes were added)  — 17 + n bytes
 *   responder  counts from here on only what it holds on those topics (a node without mobility takes
 *              no service offers, and refuses one as an unknown topic); an empty frame when its own
 *              summary of them is the same (in a settled district, nearly always: a pull then costs
 *              two short frames); otherwise one byte 0x00: "list them"
 *   puller     the ids, concatenated, at most `maxIds`
 *   responder  one frame per message it holds, is still valid, and whose id was not listed: topic code
 *              (1 byte, 1..255) ‖ the message bytes as gossiped; at most `maxMessages`; then an empty frame
 
 */

export const ID_BYTES = 16

export const defaultTopicSyncOptions = {
  /** 4,096 ids is a request of 64 KiB: two topics for 2,000 traders */
  maxIds: 4_096,
  maxMessages: 1_024,
  /** a response frame is one gossiped message; the largest we gossip is 16 KiB (a service offer) */
  maxFrameBytes: 4_096 * ID_BYTES,
  frameTimeoutMs: 5_000,
  /** a whole pull, however slowly a peer drips its frames */
  pullTimeoutMs: 20_000,
  maxInboundStreams: 32
} as const

export class TopicSyncError extends ProtocolError {
  constructor(message: string, options?: ErrorOptions) {
    super('bad-sync', message, 'reject', options)
    this.name = 'TopicSyncError'
  }
}

/** Checks and applies one message as the topic's gossip validator would; throws a ProtocolError to refuse it. */
export type TopicIngest = (data: Uint8Array, from: PeerId) => void

export interface TopicSyncStats {
  pulls: number
  failedPulls: number
  served: number
  /** messages received by pulling and accepted */
  caughtUp: number
  /** received but already superseded, replayed or expired: ignored, as gossip ignores them */
  stale: number
  /** received and refused as forged or malformed */
  refused: number
  /** bytes of the messages received by pulling */
  bytes: number
}

interface Held {
  code: number
  id: string
  data: Uint8Array
  validUntil: number
}

export const messageId = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest().subarray(0, ID_BYTES))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
/** what two nodes compare before listing ids: equal summaries, equal sets */
const summary = (held: readonly Held[]): Buffer => {
  const h = createHash('sha256')
  for (const id of held.map(x => x.id).sort()) h.update(Buffer.from(id, 'hex'))
  return h.digest().subarray(0, ID_BYTES)
}

export interface TopicSyncInit {
  host: Libp2p
  now(): number
  signal?: AbortSignal
  meter?: ChannelMeter
  /** told about every message refused as forged or malformed, with the peer that sent it */
  refused?(error: ProtocolError, from: PeerId): void
  maxIds?: number
  maxMessages?: number
}

export class TopicSync {
  readonly stats: TopicSyncStats = { pulls: 0, failedPulls: 0, served: 0, caughtUp: 0, stale: 0, refused: 0, bytes: 0 }
  /** every frame of this protocol, sent and received, pulling and serving (the caller's meter if given) */
  readonly traffic: ChannelMeter
  readonly #init: TopicSyncInit
  readonly #topics = new Map<number, TopicIngest>()
  /** `${code}/${key}` → the latest message of that author (or author and agency) on that topic */
  readonly #held = new Map<string, Held & { seq: number }>()
  readonly #maxIds: number
  readonly #maxMessages: number

  constructor(init: TopicSyncInit) {
    this.#init = init
    this.traffic = init.meter ?? { frames: 0, bytes: 0 }
    this.#maxIds = init.maxIds ?? defaultTopicSyncOptions.maxIds
    this.#maxMessages = init.maxMessages ?? defaultTopicSyncOptions.maxMessages
  }

  /** A topic takes part under a one-byte code, with the validator that gossip uses for it. */
  register(code: number, ingest: TopicIngest): void {
    if (!Number.isInteger(code) || code < 1 || code > 255) throw new RangeError(`topic code must be 1..255, got ${code}`)
    this.#topics.set(code, ingest)
  }

  /**
   * Keeps `data` as the latest message under `key` on topic `code` (the caller has validated it, or
   * published it): a higher `seq` replaces a lower one, and it is dropped once `validUntil` passes.
   */
  remember(code: number, key: string, seq: number, data: Uint8Array, validUntil: number): void {
    const k = `${code}/${key}`
    const old = this.#held.get(k)
    if (old != null && old.seq >= seq) return
    // its own bytes: `data` may be a view into a 64 KiB buffer (a published envelope from Node's
    // allocation pool, a received one from its frame), held here until it expires (tests/owned-bytes.test.ts)
    this.#held.set(k, {
      code,
      id: hex(messageId(data)),
      data: data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data),
      validUntil,
      seq
    })
  }

  /** the messages held and still valid, newest-valid first, at most `max` */
  #valid(now: number): Held[] {
    const out: Held[] = []
    for (const [k, h] of this.#held) {
      if (h.validUntil <= now) this.#held.delete(k)
      else out.push(h)
    }
    return out.sort((a, b) => b.validUntil - a.validUntil)
  }

  get size(): number {
    return this.#held.size
  }

  async start(): Promise<void> {
    await handleChannels(
      this.#init.host,
      TOPIC_SYNC_PROTOCOL,
      async ch => {
        await this.#serve(ch)
      },
      {
        maxFrameBytes: defaultTopicSyncOptions.maxFrameBytes,
        frameTimeoutMs: defaultTopicSyncOptions.frameTimeoutMs,
        maxInboundStreams: defaultTopicSyncOptions.maxInboundStreams,
        meter: this.traffic
      }
    )
  }

  async stop(): Promise<void> {
    try {
      await this.#init.host.unhandle(TOPIC_SYNC_PROTOCOL)
    } catch {}
  }

  async #serve(ch: FramedChannel): Promise<void> {
    const hello = await ch.receive()
    if (hello.length < 1 + ID_BYTES || hello.length > 1 + ID_BYTES + 255 || hello[0] !== 0x01)
      throw new TopicSyncError(
        `a sync request opens with 0x01, a ${ID_BYTES}-byte summary and at most 255 topic codes; got ${hello.length} bytes`
      )
    const codes = hello.subarray(1 + ID_BYTES)
    if (codes.includes(0)) throw new TopicSyncError('topic codes are 1..255; a sync request listed 0')
    const wanted = codes.length === 0 ? undefined : new Set(codes)
    const valid = this.#valid(this.#init.now()).filter(h => wanted == null || wanted.has(h.code))
    if (Buffer.from(hello.subarray(1, 1 + ID_BYTES)).equals(summary(valid))) {
      await ch.send(new Uint8Array(0))
      this.stats.served++
      return
    }
    await ch.send(new Uint8Array([0x00]))
    const request = await ch.receive()
    if (request.length % ID_BYTES !== 0 || request.length / ID_BYTES > this.#maxIds) {
      throw new TopicSyncError(`a sync request is whole ids of ${ID_BYTES} bytes, at most ${this.#maxIds}; got ${request.length} bytes`)
    }
    const has = new Set<string>()
    for (let i = 0; i < request.length; i += ID_BYTES) has.add(hex(request.subarray(i, i + ID_BYTES)))
    let sent = 0
    for (const h of valid) {
      if (sent >= this.#maxMessages) break
      if (has.has(h.id)) continue
      const frame = new Uint8Array(1 + h.data.length)
      frame[0] = h.code
      frame.set(h.data, 1)
      await ch.send(frame)
      sent++
    }
    await ch.send(new Uint8Array(0))
    this.stats.served++
  }

  /**
   * Asks `peer` for what it holds and this node lacks, and feeds each message to its topic's
   * validator. Resolves with how many were accepted; a peer that sends an unknown topic code or more
   * than it may is hung up on (TopicSyncError), keeping what was accepted before.
   */
  async pull(peer: PeerId): Promise<number> {
    const init = this.#init
    const signal = AbortSignal.any([
      AbortSignal.timeout(defaultTopicSyncOptions.pullTimeoutMs),
      ...(init.signal != null ? [init.signal] : [])
    ])
    this.stats.pulls++
    let ch: FramedChannel | undefined
    let accepted = 0
    const told = new WeakSet<Error>()
    try {
      ch = await openChannel(init.host, peer, TOPIC_SYNC_PROTOCOL, {
        signal,
        meter: this.traffic,
        maxFrameBytes: defaultTopicSyncOptions.maxFrameBytes,
        frameTimeoutMs: defaultTopicSyncOptions.frameTimeoutMs
      })
      const valid = this.#valid(init.now())
      await ch.send(new Uint8Array([0x01, ...summary(valid), ...[...this.#topics.keys()].sort((a, b) => a - b)]), { signal })
      const answer = await ch.receive({ signal })
      if (answer.length === 0) return 0
      if (answer.length !== 1 || answer[0] !== 0x00)
        throw new TopicSyncError('a sync responder answers a summary with an empty frame or 0x00')
      const ids = valid.slice(0, this.#maxIds)
      const request = new Uint8Array(ids.length * ID_BYTES)
      ids.forEach((h, i) => {
        request.set(Buffer.from(h.id, 'hex'), i * ID_BYTES)
      })
      await ch.send(request, { signal })
      for (let n = 0; ; n++) {
        const frame = await ch.receive({ signal })
        if (frame.length === 0) break
        if (n >= this.#maxMessages) throw new TopicSyncError(`more than ${this.#maxMessages} messages in one sync response`)
        const ingest = this.#topics.get(frame[0])
        if (ingest == null) throw new TopicSyncError(`unknown topic code ${frame[0]} in a sync response`)
        this.stats.bytes += frame.length
        try {
          ingest(frame.subarray(1), peer)
          accepted++
          this.stats.caughtUp++
        } catch (err) {
          if (!(err instanceof ProtocolError) || err.action === 'reject') {
            this.stats.refused++
            const e =
              err instanceof ProtocolError ? err : new TopicSyncError(`sync message failed: ${(err as Error).message}`, { cause: err })
            init.refused?.(e, peer)
            told.add(e)
            // a peer that relays a forgery is heard no further in this pull
            throw e
          }
          this.stats.stale++
        }
      }
      return accepted
    } catch (err) {
      // unreachable, slow, or it does not speak the protocol: the next pull asks another peer
      this.stats.failedPulls++
      if (err instanceof TopicSyncError && !told.has(err)) init.refused?.(err, peer)
      return accepted
    } finally {
      await ch?.close()
    }
  }
}
