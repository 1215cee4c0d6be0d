import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { limits, toHex } from '@kvartal/protocol'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { memoryListenAddress, traderOfPeer } from './identity.ts'

/** A bidirectional channel of length-prefixed frames over one libp2p stream, bounded in size and time. */
export interface FramedChannel {
  readonly remotePeer: PeerId
  send(frame: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>
  /** Next frame; rejects on timeout, abort, oversize or when the remote closed. */
  receive(options?: { signal?: AbortSignal }): Promise<Uint8Array>
  close(): Promise<void>
  abort(err: Error): void
  /**
   * Simulated ms this channel's frames have taken so far: what a simulator's link model says latency and
   * bandwidth add (`simulateStreamTime`). On a real network time itself passes while frames travel, and
   * this is 0.
   */
  elapsedMs(): number
}

const simulatedElapsed = new WeakMap<Stream, () => number>()

/**
 * A simulator's link model says how long the frames sent so far on `stream` took (at either end of it):
 * the simulated clock stands still while a tick's negotiations run, so a node that reads the time during a
 * negotiation adds this (`FramedChannel.elapsedMs`) to see the frames' delay.
 */
export function simulateStreamTime(stream: Stream, elapsedMs: () => number): void {
  simulatedElapsed.set(stream, elapsedMs)
}

export const defaultChannelOptions = {
  // a frame is one signed negotiation message: a few hundred bytes
  maxFrameBytes: limits.maxFrameBytes,
  // one hop on a LAN or loopback answers in milliseconds; a stalled peer must not hold a slot's seller
  frameTimeoutMs: 5_000
} as const

/** Counts frames and bytes, for per-node traffic figures. */
export interface ChannelMeter {
  frames: number
  bytes: number
}

function wrap(stream: Stream, remotePeer: PeerId, maxFrameBytes: number, frameTimeoutMs: number, meter?: ChannelMeter): FramedChannel {
  const lp: LengthPrefixedStream<Stream> = lpStream(stream, { maxDataLength: maxFrameBytes })
  const withTimeout = (signal?: AbortSignal): AbortSignal =>
    signal == null ? AbortSignal.timeout(frameTimeoutMs) : AbortSignal.any([signal, AbortSignal.timeout(frameTimeoutMs)])
  return {
    remotePeer,
    async send(frame, options) {
      await lp.write(frame, { signal: withTimeout(options?.signal) })
      if (meter != null) {
        meter.frames++
        meter.bytes += frame.length
      }
    },
    async receive(options) {
      // a copy of exactly the frame's bytes: what arrives is a view into a larger buffer (Node's 64 KiB
      // allocation pool, the sender's over the memory transport, a socket read over TCP), and a decoded
      // message keeps views into its frame. A node that keeps a 300-byte reply (a negotiation's accept,
      // a journaled trade) must not keep the 64 KiB around it (tests/owned-bytes.test.ts)
      const frame = new Uint8Array((await lp.read({ signal: withTimeout(options?.signal) })).subarray())
      if (meter != null) {
        meter.frames++
        meter.bytes += frame.length
      }
      return frame
    },
    async close() {
      try {
        await stream.close()
      } catch {
        stream.abort(new Error('close failed'))
      }
    },
    abort(err) {
      stream.abort(err)
    },
    elapsedMs() {
      return simulatedElapsed.get(stream)?.() ?? 0
    }
  }
}

export interface ChannelOptions {
  maxFrameBytes?: number
  frameTimeoutMs?: number
  meter?: ChannelMeter
}

/**
 * A simulator's worker runs its nodes on TCP and also on the memory transport (HostOptions.inProcess):
 * a node of the same process is reachable at its memory address, derived from its key. Dialled by peer
 * id, libp2p picked the TCP address its announcements carry as often as not: at 1,000 buildings on two
 * workers, 28,000 loopback TCP connections with noise, most of them between nodes of one process. So
 * such a host tries the peer's memory address first when it has no connection to it; a peer of another
 * process has no listener there, and the dial fails at once. A real node listens on no memory address.
 */
async function preferMemory(host: Libp2p, peer: PeerId, signal?: AbortSignal): Promise<void> {
  if (host.getConnections(peer).length > 0 || !host.getMultiaddrs().some(a => a.toString().startsWith('/memory/'))) return
  const key = traderOfPeer(peer)
  if (key == null) return
  try {
    await host.dial(multiaddr(`${memoryListenAddress({ id: toHex(key) })}/p2p/${peer.toString()}`), { signal })
  } catch {}
}

/** Opens a channel to `peer` (dialling it at `addrs` if not connected). */
export async function openChannel(
  host: Libp2p,
  peer: PeerId | Multiaddr[],
  protocol: string,
  options: ChannelOptions & { signal?: AbortSignal } = {}
): Promise<FramedChannel> {
  if (!Array.isArray(peer)) await preferMemory(host, peer, options.signal)
  const stream = await host.dialProtocol(peer, protocol, {
    signal: options.signal ?? AbortSignal.timeout(defaultChannelOptions.frameTimeoutMs)
  })
  const remote = Array.isArray(peer) ? (await host.getConnections()).find(c => c.streams.includes(stream))?.remotePeer : peer
  if (remote == null) throw new Error('stream has no remote peer')
  return wrap(
    stream,
    remote,
    options.maxFrameBytes ?? defaultChannelOptions.maxFrameBytes,
    options.frameTimeoutMs ?? defaultChannelOptions.frameTimeoutMs,
    options.meter
  )
}

/** Serves `protocol`: every inbound stream becomes a channel handed to `handler`; errors close the stream. */
export async function handleChannels(
  host: Libp2p,
  protocol: string,
  handler: (channel: FramedChannel) => Promise<void>,
  options: ChannelOptions & { maxInboundStreams?: number } = {}
): Promise<void> {
  await host.handle(
    protocol,
    async (stream, connection) => {
      const channel = wrap(
        stream,
        connection.remotePeer,
        options.maxFrameBytes ?? defaultChannelOptions.maxFrameBytes,
        options.frameTimeoutMs ?? defaultChannelOptions.frameTimeoutMs,
        options.meter
      )
      try {
        await handler(channel)
        await channel.close()
      } catch (err) {
        channel.abort(err as Error)
      }
    },
    { maxInboundStreams: options.maxInboundStreams ?? 256 }
  )
}
