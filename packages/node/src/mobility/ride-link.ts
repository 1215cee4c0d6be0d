import type { PeerId } from '@libp2p/interface'
import { decodeLegTerms, fromHex, toHex, type Clock } from '@kvartal/protocol'
import { traderOfPeer, type KvartalHost } from '@kvartal/mesh'
import { planFromWire } from './pricing-wire.ts'
import type { PackageLegRecord } from './traveller-records.ts'

/**
 * Resolves once `host` holds a connection to `peer` (at once if it does already); rejects when `signal` aborts.
 * A vehicle that restarted mid-ride knows its traveller's key but not its address, so its dial fails: it waits
 * here, for as long as it would wait for the receipt itself, for the traveller to come back to it (RideLinks).
 */
export async function untilConnected(host: KvartalHost, peer: PeerId, signal: AbortSignal): Promise<void> {
  if (host.getConnections(peer).length > 0) return
  signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onConnect = (e: CustomEvent<PeerId>): void => {
      if (e.detail.equals(peer)) {
        done()
        resolve()
      }
    }
    const onAbort = (): void => {
      done()
      reject(signal.reason)
    }
    const done = (): void => {
      host.removeEventListener('peer:connect', onConnect)
      signal.removeEventListener('abort', onAbort)
    }
    host.addEventListener('peer:connect', onConnect)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

export interface RideLinksDeps {
  readonly host: KvartalHost
  readonly clock: Clock
  readonly signal: AbortSignal
  /** a ride's receipts close this long after its window */
  readonly receiptGraceMs: number
  /** the traveller's confirmed legs */
  readonly confirmed: () => Iterable<PackageLegRecord>
}

/** the first redial after a lost connection, and the longest wait between two */
const FIRST_REDIAL_MS = 250
const MAX_REDIAL_MS = 4_000

/**
 * The traveller keeps its link to a vehicle while it rides it. The vehicle meters the ride and asks for a receipt
 * every tick over a stream it opens; when the vehicle restarts it has lost the traveller's address (a peer store
 * lives in memory), while the traveller still knows the vehicle's. So when the connection to a vehicle it is
 * riding drops, the traveller dials it again, backing off from 250 ms to 4 s, until it is back, the ride's
 * receipts have closed, or the node stops. Without it the restarted vehicle's first report found no way to the
 * traveller and stopped the ride as if the traveller had stopped paying (`receipt-late`).
 */
export class RideLinks {
  readonly #d: RideLinksDeps
  /** vehicles being redialled now, by peer id */
  readonly #redialling = new Set<string>()

  constructor(deps: RideLinksDeps) {
    this.#d = deps
    const onDisconnect = (e: CustomEvent<PeerId>): void => {
      void this.#redial(e.detail)
    }
    deps.host.addEventListener('peer:disconnect', onDisconnect)
    deps.signal.addEventListener(
      'abort',
      () => {
        deps.host.removeEventListener('peer:disconnect', onDisconnect)
      },
      { once: true }
    )
  }

  /** until when the traveller rides a per-use vehicle with this key (its receipts' close), if it rides one now */
  #ridingUntil(vehicle: string, now: number): number | undefined {
    for (const l of this.#d.confirmed()) {
      const terms = decodeLegTerms(fromHex(l.terms))
      if (toHex(terms.provider) !== vehicle || planFromWire(terms.pricing) == null) continue
      const closes = terms.to + this.#d.receiptGraceMs
      if (now >= terms.from && now < closes) return closes
    }
    return undefined
  }

  async #redial(peer: PeerId): Promise<void> {
    const key = traderOfPeer(peer)
    const id = peer.toString()
    if (key == null || this.#redialling.has(id)) return
    this.#redialling.add(id)
    try {
      let wait = FIRST_REDIAL_MS
      for (;;) {
        const until = this.#ridingUntil(toHex(key), this.#d.clock.now())
        if (until == null || this.#d.signal.aborted || this.#d.host.getConnections(peer).length > 0) return
        await new Promise(resolve => setTimeout(resolve, wait))
        if (this.#d.signal.aborted || this.#d.host.getConnections(peer).length > 0) return
        // by its peer id: the peer store still holds the addresses the vehicle was reached at
        await this.#d.host.dial(peer, { signal: AbortSignal.any([this.#d.signal, AbortSignal.timeout(MAX_REDIAL_MS)]) }).catch(() => {})
        wait = Math.min(MAX_REDIAL_MS, wait * 2)
      }
    } finally {
      this.#redialling.delete(id)
    }
  }
}
