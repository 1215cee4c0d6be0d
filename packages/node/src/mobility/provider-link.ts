import { BOOKING_PROTOCOL, ProtocolError, mobilityLimits, open, toHex } from '@kvartal/protocol'
import { openChannel as openStream, peerIdOfTrader, type ChannelMeter, type KvartalHost } from '@kvartal/mesh'
import { multiaddr } from '@multiformats/multiaddr'
import type { ServiceBook } from './service-book.ts'

/** What a traveller needs to reach a provider over a booking stream. */
export interface ProviderLink {
  readonly host: KvartalHost
  readonly services: ServiceBook
  readonly frameTimeoutMs: number
  readonly signal: AbortSignal
  readonly meter?: ChannelMeter
}

/**
 * One request, one answer, over a fresh booking stream to a provider: dialled on its connection if
 * there is one, else at the addresses its service offer gave. The answer must be one of `kinds` or a
 * BookingReject, signed by that provider; anything else is a typed ProtocolError.
 */
export async function exchangeWithProvider(
  link: ProviderLink,
  provider: Uint8Array,
  frame: Uint8Array,
  kinds: Array<'quote' | 'held' | 'leg-state'>
): Promise<ReturnType<typeof open>> {
  const { host, frameTimeoutMs, signal } = link
  const peer = peerIdOfTrader(provider)
  const addrs = host.getConnections(peer).length > 0 ? [] : link.services.addrsOf(toHex(provider)).map(b => multiaddr(b))
  const ch = await openStream(host, addrs.length > 0 ? addrs : peer, BOOKING_PROTOCOL, {
    frameTimeoutMs,
    maxFrameBytes: mobilityLimits.maxFrameBytes,
    meter: link.meter,
    signal: AbortSignal.any([signal, AbortSignal.timeout(frameTimeoutMs)])
  })
  try {
    await ch.send(frame)
    const answer = open(await ch.receive(), { maxBytes: mobilityLimits.maxFrameBytes, kinds: [...kinds, 'booking-reject'] })
    if (!Buffer.from(answer.signer).equals(Buffer.from(provider)))
      throw new ProtocolError('wrong-signer', 'the answer is not signed by the provider')
    return answer
  } finally {
    await ch.close().catch(() => {})
  }
}
