import { KvartalError, NEGOTIATION_PROTOCOL } from '@kvartal/protocol'
import { simulateStreamTime, type HostNetworkHooks, type KvartalHost } from '@kvartal/mesh'
import type { PeerId, Stream } from '@libp2p/interface'
import type { LinkModel } from './link-model.ts'

/** A frame the link model lost: the stream breaks at both ends, as a frame timeout would break it. */
export class LinkLostError extends KvartalError {
  constructor(detail: string) {
    super('link-lost', detail)
    this.name = 'LinkLostError'
  }
}

/**
 * What one node's host gets from the link model (mesh's `HostOptions.network`):
 * - a libp2p connection gater: while a partition cuts the link, dials to the peer and connections from
 *   it are refused (the runner closes the connections that were open when the cut came);
 * - on every stream of Kvartal's own protocols (negotiation, catch-up pulls, mobility bookings), each
 *   frame sent is decided lost or not; a lost frame resets the stream at both ends; on a negotiation's
 *   stream, each frame's delay moves the time both ends read (`simulateStreamTime`);
 * - on gossip, each message received from a peer is decided lost or not before gossipsub sees it: the
 *   node may still get it from another peer of its mesh (IHAVE/IWANT) or by its next catch-up pull.
 * `self` is this node's index in the district; `indexOf` maps a peer id to a node's index.
 */
export function hostHooks(model: LinkModel, self: number, indexOf: (peer: PeerId) => number | undefined): HostNetworkHooks {
  const refuse = (peer: PeerId): boolean => {
    const j = indexOf(peer)
    if (j == null || !model.cut(self, j)) return false
    model.counts.dialsRefused++
    return true
  }
  return {
    connectionGater: {
      denyDialPeer: refuse,
      denyOutboundEncryptedConnection: refuse,
      denyInboundEncryptedConnection: refuse
    },
    attach: (host: KvartalHost) => {
      const lossy = (stream: Stream, remote: PeerId, dialer: boolean): void => {
        const j = indexOf(remote)
        if (j == null) return
        const protocol = stream.protocol
        const key = dialer ? `${self}>${j}:${stream.id}` : `${j}>${self}:${stream.id}`
        // a negotiation's clock: the nodes at both ends read the time as the tick's instant plus the delay of
        // the frames sent so far (whole ms: times go on the wire), so latency can lapse a hold or miss a gate
        if (protocol === NEGOTIATION_PROTOCOL) simulateStreamTime(stream, () => Math.round(model.streamDelayMs(key)))
        const send = stream.send.bind(stream)
        let sent = false
        stream.send = data => {
          const bytes = data instanceof Uint8Array ? data : data.subarray()
          const { lost, delayMs, link } = model.send('frame', self, j, bytes)
          if (protocol === NEGOTIATION_PROTOCOL) model.addStreamDelay(key, delayMs, link, dialer && !sent)
          sent = true
          if (lost) {
            const err = new LinkLostError(`a frame of ${protocol ?? 'a stream'} was lost between nodes ${self} and ${j}`)
            stream.abort(err)
            throw err
          }
          return send(data)
        }
      }
      const handle = host.handle.bind(host)
      host.handle = async (protocols, handler, options) => {
        await handle(
          protocols,
          async (stream, connection) => {
            lossy(stream, connection.remotePeer, false)
            await handler(stream, connection)
          },
          options
        )
      }
      const dialProtocol = host.dialProtocol.bind(host)
      host.dialProtocol = async (peer, protocols, options) => {
        const stream = await dialProtocol(peer, protocols, options)
        const connection = host.getConnections().find(c => c.streams.includes(stream))
        if (connection != null) lossy(stream, connection.remotePeer, true)
        return stream
      }
      // gossip: the receiving end decides, before gossipsub's duplicate filter, so another peer's copy can still come
      const pubsub = host.services.pubsub as unknown as {
        handleReceivedRpc: (from: PeerId, rpc: { messages?: Array<{ data?: Uint8Array }> }) => Promise<void>
      }
      const received = pubsub.handleReceivedRpc.bind(pubsub)
      pubsub.handleReceivedRpc = async (from, rpc) => {
        const j = indexOf(from)
        if (j != null && rpc.messages != null && rpc.messages.length > 0)
          rpc.messages = rpc.messages.filter(m => m.data == null || !model.send('gossip', j, self, m.data).lost)
        await received(from, rpc)
      }
    }
  }
}
