import {
  decodeLegTerms,
  encodeLegTerms,
  fromHex,
  iotaAddress,
  type open,
  seal,
  toHex,
  verifyLegTerms,
  errorCode,
  type Clock,
  type Held,
  type LegState,
  type BookingReject
} from '@kvartal/protocol'
import type { NodeIdentity } from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Emit } from '../events.ts'
import type { MobilityWritePoint } from '../write-points.ts'
import type { PackageLegRecord, PackageRecord } from './traveller-records.ts'
import { exchangeWithProvider, type ProviderLink } from './provider-link.ts'
import type { TravellerPackages } from './traveller-packages.ts'
import { bookingStep } from './booking-steps.ts'

export interface PackagePhasesDeps extends ProviderLink {
  readonly identity: NodeIdentity
  readonly clock: Clock
  readonly settlement?: Settlement
  readonly emit: Emit
  /** the traveller's packages: each phase journals the package it leaves */
  readonly packages: TravellerPackages
}

/**
 * The phases of a traveller's all-or-nothing booking (traveller-desk.ts drives a package through them):
 * hold every leg in parallel, release all if one fails, else pay every provider in one ledger transaction
 * and commit every leg; and cancel confirmed legs under their terms. Each takes the package as journaled
 * and journals it, with its next phase, before it returns.
 */
export class PackagePhases {
  readonly #d: PackagePhasesDeps

  constructor(deps: PackagePhasesDeps) {
    this.#d = deps
  }

  async #exchange(provider: Uint8Array, frame: Uint8Array, kinds: Array<'quote' | 'held' | 'leg-state'>): Promise<ReturnType<typeof open>> {
    return await exchangeWithProvider(this.#d, provider, frame, kinds)
  }
  async #put(pkgHex: string, r: PackageRecord, point: MobilityWritePoint): Promise<void> {
    await this.#d.packages.put(pkgHex, r, point)
  }

  async holdAll(pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    const results = await Promise.all(
      rec.legs.map(async (l): Promise<PackageLegRecord> => {
        const terms = decodeLegTerms(fromHex(l.terms))
        try {
          const answer = await this.#exchange(terms.provider, seal('hold-request', { terms }, identity.signer), ['held'])
          if (answer.kind === 'booking-reject') return { ...l, status: 'RELEASED', code: (answer.message as BookingReject).code }
          const h = answer.message as Held
          if (
            toHex(h.leg) !== l.leg ||
            toHex(encodeLegTerms(h.terms!)) !== l.terms ||
            !verifyLegTerms(terms, terms.provider, h.providerSignature)
          )
            return { ...l, status: 'UNKNOWN', code: 'bad-hold' }
          return { ...l, status: 'PENDING', holdUntil: h.holdUntil, providerSignature: toHex(h.providerSignature) }
        } catch (err) {
          // a timeout or a lost answer: the provider may hold it; releasing it is harmless either way
          this.#d.emit({
            type: 'negotiation-failed',
            correlation: pkgHex,
            code: 'hold-failed',
            detail: (err as Error).message,
            peer: l.provider,
            id: bookingStep.holdFailed(identity.id, pkgHex, l.legId),
            parent: bookingStep.holding(identity.id, pkgHex)
          })
          return { ...l, status: 'UNKNOWN', code: errorCode(err, 'unreachable') }
        }
      })
    )
    const all = results.every(l => l.status === 'PENDING')
    const next: PackageRecord = {
      ...rec,
      legs: results,
      phase: all ? 'paying' : 'releasing',
      reason: all ? undefined : results.find(l => l.status !== 'PENDING')?.code,
      at: this.#d.clock.now()
    }
    await this.#put(pkgHex, next, all ? 'traveller-held' : 'traveller-releasing')
    return next
  }

  async releaseAll(pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    await Promise.all(
      rec.legs.map(async l => {
        if (l.status === 'RELEASED' && l.code != null) return
        const terms = decodeLegTerms(fromHex(l.terms))
        try {
          await this.#exchange(
            terms.provider,
            seal('release', { leg: fromHex(l.leg), package: terms.package, legId: l.legId, cancel: false }, identity.signer),
            ['leg-state']
          )
        } catch {
          // unreachable: its hold expires by itself
        }
      })
    )
    const next: PackageRecord = {
      ...rec,
      status: 'RELEASED',
      phase: 'done',
      legs: rec.legs.map(l => ({ ...l, status: 'RELEASED' })),
      at: this.#d.clock.now()
    }
    await this.#put(pkgHex, next, 'traveller-released')
    this.#d.emit({
      type: 'package-released',
      correlation: pkgHex,
      code: rec.reason ?? 'released',
      detail: `${rec.legs.length} legs released, nothing paid`,
      id: bookingStep.released(identity.id, pkgHex),
      parent: bookingStep.holding(identity.id, pkgHex)
    })
    return next
  }

  /** One payment to every provider of the package (one ledger transaction), idempotent by its key. */
  async pay(pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const { settlement, identity, signal } = this.#d
    const byProvider = new Map<string, number>()
    for (const l of rec.legs) {
      const t = decodeLegTerms(fromHex(l.terms))
      const to = iotaAddress(t.provider)
      if (t.price > 0) byProvider.set(to, (byProvider.get(to) ?? 0) + t.price)
    }
    let digest = ''
    if (byProvider.size > 0) {
      const receipt = await settlement!.pay(
        { key: rec.paymentKey, payer: identity.iotaAddress, transfers: [...byProvider].map(([to, amount]) => ({ to, amount })) },
        { signal }
      )
      digest = receipt.digest
    }
    const next: PackageRecord = { ...rec, phase: 'committing', paymentDigest: digest, at: this.#d.clock.now() }
    await this.#put(pkgHex, next, 'traveller-paid')
    this.#d.emit({
      type: 'package-paid',
      correlation: pkgHex,
      amount: rec.total,
      detail: `${byProvider.size} providers in one transaction ${digest.slice(0, 16)}`,
      id: bookingStep.paid(identity.id, pkgHex),
      parent: bookingStep.holding(identity.id, pkgHex)
    })
    return next
  }

  async commitAll(pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    // legs whose provider answered this round, with a refusal: only those can be left to a person
    const refused = new Set<string>()
    const legs = await Promise.all(
      rec.legs.map(async (l): Promise<PackageLegRecord> => {
        if (l.status !== 'PENDING') return l
        const terms = decodeLegTerms(fromHex(l.terms))
        try {
          const answer = await this.#exchange(
            terms.provider,
            seal(
              'commit',
              {
                leg: fromHex(l.leg),
                terms,
                travellerSignature: fromHex(l.travellerSignature),
                paymentKey: rec.paymentKey,
                paymentDigest: rec.paymentDigest ?? ''
              },
              identity.signer
            ),
            ['leg-state']
          )
          if (answer.kind === 'booking-reject') {
            refused.add(l.legId)
            return { ...l, code: (answer.message as BookingReject).code }
          }
          const s = answer.message as LegState
          if (s.status === 'CONFIRMED' || s.status === 'STARTED' || s.status === 'ENDED')
            return { ...l, status: 'CONFIRMED', code: undefined }
          return { ...l, status: s.status, refund: s.refund, fee: s.fee, refundDigest: s.refundDigest }
        } catch (err) {
          return { ...l, code: errorCode(err, 'timeout') }
        }
      })
    )
    const now = this.#d.clock.now()
    const pending = legs.filter(l => l.status === 'PENDING')
    let next: PackageRecord = { ...rec, legs, at: now }
    if (pending.length > 0) {
      // paid, and a provider has not confirmed yet (unreachable, or the payment not yet visible to it):
      // the next tick retries, until the leg would have left. After that, a provider that did not answer
      // (down, unreachable) still decides the leg when it is back: it confirms a leg it had sold, and
      // refunds in full one whose hold lapsed (provider-bookings.ts #commit). So the traveller keeps asking,
      // and says once that it does; giving up there left a payment with no seat and no refund (the soak,
      // docs/faults.md). Only a provider that answers with a refusal after the departure (it cannot see
      // the payment, or finds it short) leaves the leg to a person.
      const leaves = Math.min(...pending.map(l => decodeLegTerms(fromHex(l.terms)).departureTime))
      if (now < leaves || pending.some(l => !refused.has(l.legId))) {
        const overdue = now >= leaves && rec.reason?.startsWith('overdue') !== true
        if (now >= leaves) next = { ...next, reason: `overdue: ${pending.map(l => `${l.legId} ${l.code ?? 'unconfirmed'}`).join(', ')}` }
        await this.#put(pkgHex, next, 'traveller-committing')
        if (overdue)
          this.#d.emit({
            type: 'package-overdue',
            correlation: pkgHex,
            detail: `paid in ${rec.paymentDigest?.slice(0, 16)}; ${next.reason}: asking again until the provider confirms or refunds`,
            id: bookingStep.overdue(identity.id, pkgHex),
            parent: bookingStep.paid(identity.id, pkgHex)
          })
        return next
      }
      next = { ...next, phase: 'done', reason: `settle-by-hand: ${pending.map(l => `${l.legId} ${l.code ?? 'unconfirmed'}`).join(', ')}` }
      await this.#put(pkgHex, next, 'traveller-unresolved')
      this.#d.emit({
        type: 'negotiation-failed',
        correlation: pkgHex,
        code: 'settle-by-hand',
        detail:
          `paid in ${rec.paymentDigest?.slice(0, 16)}, but ${pending.length} ` +
          `leg(s) were never confirmed before departure: ${next.reason}`,
        id: bookingStep.unresolved(identity.id, pkgHex),
        parent: bookingStep.paid(identity.id, pkgHex)
      })
      return next
    }
    if (legs.every(l => l.status === 'CONFIRMED')) {
      next = { ...next, status: 'CONFIRMED', phase: 'done' }
      await this.#put(pkgHex, next, 'traveller-confirmed')
      this.#d.emit({
        type: 'package-booked',
        correlation: pkgHex,
        amount: rec.total,
        detail: `${legs.length} legs, paid in ${rec.paymentDigest?.slice(0, 16)}`,
        id: bookingStep.booked(identity.id, pkgHex),
        parent: bookingStep.paid(identity.id, pkgHex)
      })
      return next
    }
    // a provider could no longer sell a paid leg and refunded it in full: the journey is broken, so the
    // other legs are cancelled under their terms (the traveller asked for all or none)
    await this.#put(pkgHex, next, 'traveller-committing')
    return await this.cancelLegs(pkgHex, { ...next, status: 'CONFIRMED' }, 'leg-lost-after-payment')
  }

  async cancelLegs(pkgHex: string, rec: PackageRecord, reason: string): Promise<PackageRecord> {
    const identity = this.#d.identity
    // legs whose cancellation has no answer (a timeout, a provider killed after it journaled it): the provider may
    // have cancelled and refunded, so the package stays `cancelling` and is asked again until it answers
    const unanswered = new Set<string>()
    const legs = await Promise.all(
      rec.legs.map(async (l): Promise<PackageLegRecord> => {
        if (l.status !== 'CONFIRMED') return l
        const terms = decodeLegTerms(fromHex(l.terms))
        try {
          const answer = await this.#exchange(
            terms.provider,
            seal('release', { leg: fromHex(l.leg), package: terms.package, legId: l.legId, cancel: true }, identity.signer),
            ['leg-state']
          )
          if (answer.kind === 'booking-reject') return { ...l, code: (answer.message as BookingReject).code }
          const s = answer.message as LegState
          return { ...l, status: s.status, fee: s.fee, refund: s.refund, refundDigest: s.refundDigest, code: undefined }
        } catch (err) {
          unanswered.add(l.leg)
          return { ...l, code: errorCode(err, 'unreachable') }
        }
      })
    )
    const open = legs.filter(l => l.status === 'CONFIRMED').length
    const next: PackageRecord = {
      ...rec,
      legs,
      status: open === 0 ? 'CANCELLED' : 'CONFIRMED',
      phase: unanswered.size > 0 ? 'cancelling' : 'done',
      reason,
      at: this.#d.clock.now()
    }
    await this.#put(pkgHex, next, 'traveller-cancelled')
    // a cancellation follows the booking; a journey broken by a refunded leg was never booked, it follows the payment.
    // Only the last try has the step's id: a try that left a leg confirmed is asked again and says so again
    const me = identity.id
    const why = unanswered.size > 0 ? 'no answer: asked again at the next tick' : 'refused'
    const after = rec.phase === 'done' || rec.phase === 'cancelling' ? bookingStep.booked(me, pkgHex) : bookingStep.paid(me, pkgHex)
    this.#d.emit({
      type: 'package-released',
      correlation: pkgHex,
      code: reason,
      amount: legs.reduce((a, l) => a + (l.refund ?? 0), 0),
      detail:
        `cancelled ${legs.filter(l => l.status === 'CANCELLED').length} ` + `legs${open > 0 ? `, ${open} still confirmed (${why})` : ''}`,
      ...(open === 0 ? { id: bookingStep.cancelled(me, pkgHex) } : {}),
      parent: after
    })
    return next
  }
}
