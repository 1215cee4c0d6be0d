import { memory } from '@libp2p/memory'
import { peerIdFromString } from '@libp2p/peer-id'
import type { MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import type { MemoryTransportComponents } from '@libp2p/memory'

/**
 * The memory transport for a simulator's worker process, whose nodes talk to each other in memory and
 * to other processes' nodes over TCP with noise. A memory connection never leaves its process, so it
 * skips the encryption handshake (libp2p's `skipEncryption`, meant for transports that secure
 * themselves): both ends are in this process, and the peer's id is the one its own address names (the
 * memory listener names the dialling peer, the dialler the listening one). TCP connections are not
 * touched. Without this, noise on every in-process connection doubled a worker's CPU.
 */
export function unencryptedMemory(): (components: MemoryTransportComponents) => Transport {
  const make = memory()
  return components => {
    const inner = make(components)
    const wrapped: Transport = Object.create(inner)
    wrapped.dial = async (ma, options) => await inner.dial(ma, { ...options, upgrader: skipping(options.upgrader) })
    wrapped.createListener = options => inner.createListener({ ...options, upgrader: skipping(options.upgrader) })
    return wrapped
  }
}

function skipping(upgrader: Upgrader): Upgrader {
  const remotePeer = (maConn: MultiaddrConnection): ReturnType<typeof peerIdFromString> => {
    const id = maConn.remoteAddr.getComponents().findLast(c => c.name === 'p2p')?.value
    if (id == null) throw new Error(`a memory connection from ${maConn.remoteAddr.toString()} names no peer`)
    return peerIdFromString(id)
  }
  const wrapped: Upgrader = Object.create(upgrader)
  wrapped.upgradeOutbound = async (maConn, opts) =>
    await upgrader.upgradeOutbound(maConn, { ...opts, skipEncryption: true, remotePeer: remotePeer(maConn) })
  wrapped.upgradeInbound = async (maConn, opts) => {
    await upgrader.upgradeInbound(maConn, { ...opts, skipEncryption: true, remotePeer: remotePeer(maConn) })
  }
  return wrapped
}
