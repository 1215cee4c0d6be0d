import { ExpiredMessageError, ProtocolError, ReplayedMessageError, toHex, type ServiceOffer } from '@kvartal/protocol'

/** A service offer as kept by a traveller: the latest per provider and asset, until it expires. */
export interface ServiceEntry {
  readonly offer: ServiceOffer
  readonly provider: string
  readonly receivedAt: number
}

/**
 * The service offers a node has heard on its district's mobility topic. A newer `seq` from the same
 * provider and asset replaces the older; an older or equal one is ignored (a replay); expired offers are
 * pruned. A vehicle's public asset id rotates per trip, so the key is (provider, asset) and a vehicle's
 * older asset ids expire on their own.
 */
export class ServiceBook {
  readonly #entries = new Map<string, ServiceEntry>()
  readonly #maxEntries: number

  constructor(maxEntries = 10_000) {
    this.#maxEntries = maxEntries
  }

  /** Applies an offer; false when it is stale, a replay or already expired. */
  apply(offer: ServiceOffer, now: number): boolean {
    if (offer.validUntil <= now) return false
    const provider = toHex(offer.provider)
    const key = `${provider}/${offer.assetId}`
    const old = this.#entries.get(key)
    if (old != null && old.offer.seq >= offer.seq) return false
    // a provider's newer offer supersedes its other assets' offers with lower seq (rotated vehicle ids)
    for (const [k, e] of this.#entries)
      if (e.provider === provider && e.offer.seq < offer.seq && e.offer.agencyId === offer.agencyId && k !== key) this.#entries.delete(k)
    if (old == null && this.#entries.size >= this.#maxEntries) this.prune(now)
    if (old == null && this.#entries.size >= this.#maxEntries) return false
    this.#entries.set(key, { offer, provider, receivedAt: now })
    return true
  }

  /**
   * The mobility topic's validator takes an offer through here: `apply`, and a typed refusal with
   * gossipsub's `ignore` when it applied nothing, so that an expired, replayed or older offer is neither
   * forwarded to the mesh nor punished (as the energy topics do). It was accepted and re-gossiped.
   */
  admit(offer: ServiceOffer, now: number): void {
    if (offer.validUntil <= now)
      throw new ExpiredMessageError(`service offer from ${toHex(offer.provider).slice(0, 8)} expired at ${offer.validUntil}`)
    const held = this.#entries.get(`${toHex(offer.provider)}/${offer.assetId}`)
    if (held != null && held.offer.seq >= offer.seq)
      throw new ReplayedMessageError(
        `service offer seq ${offer.seq} from ${toHex(offer.provider).slice(0, 8)} is not newer than ${held.offer.seq}`
      )
    if (!this.apply(offer, now))
      throw new ProtocolError('service-book-full', `the service book holds ${this.#maxEntries} live offers`, 'ignore')
  }

  prune(now: number): void {
    for (const [k, e] of this.#entries) if (e.offer.validUntil <= now) this.#entries.delete(k)
  }

  /** Vehicles (offers with an asset) of the given modes whose zone is among `zones`, valid at `now`. */
  vehicles(now: number, zones?: ReadonlySet<string>, modes?: readonly string[]): ServiceEntry[] {
    return [...this.#entries.values()].filter(
      e =>
        e.offer.assetId !== '' &&
        e.offer.validUntil > now &&
        (zones == null || e.offer.zones.some(z => zones.has(z))) &&
        (modes == null || modes.length === 0 || modes.includes(e.offer.mode))
    )
  }

  /**
   * The transit operator that sells tickets for a GTFS agency. Gossip proves who signed an offer, not
   * that the signer runs the agency: with `trusted` (the agency's operator key, hex) only that key
   * counts; without it, an agency claimed by more than one key has no operator here (`claimants` says
   * who), so a traveller never pays an impostor by accident.
   */
  operator(agencyId: string, now: number, trusted?: string): ServiceEntry | undefined {
    const claims = this.claimants(agencyId, now).filter(e => trusted == null || e.provider === trusted.toLowerCase())
    return claims.length === 1 ? claims[0] : undefined
  }

  /** The latest live offer of every key that claims a GTFS agency. */
  claimants(agencyId: string, now: number): ServiceEntry[] {
    const byProvider = new Map<string, ServiceEntry>()
    for (const e of this.#entries.values()) {
      if (e.offer.agencyId !== agencyId || e.offer.assetId !== '' || e.offer.validUntil <= now) continue
      const held = byProvider.get(e.provider)
      if (held == null || e.offer.seq > held.offer.seq) byProvider.set(e.provider, e)
    }
    return [...byProvider.values()]
  }

  /** Where a provider said it accepts streams (its latest offer's addresses). */
  addrsOf(provider: string): Uint8Array[] {
    let best: ServiceEntry | undefined
    for (const e of this.#entries.values()) if (e.provider === provider && (best == null || e.offer.seq > best.offer.seq)) best = e
    return best?.offer.addrs ?? []
  }

  get size(): number {
    return this.#entries.size
  }
}
