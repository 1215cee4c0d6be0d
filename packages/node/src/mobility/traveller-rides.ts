import {
  fromHex,
  iotaAddress,
  mobilityLimits,
  open,
  decodeLegTerms,
  seal,
  toHex,
  type Clock,
  type UsageReceipt,
  type UsageReport,
  errorCode
} from '@kvartal/protocol'
import { UsageCheck, fareNanos } from '@kvartal/mobility'
import type { FramedChannel, NodeIdentity } from '@kvartal/mesh'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import { planFromWire } from './pricing-wire.ts'
import { RIDE_RECEIPTS, type RideReceiptRecord } from './provider-records.ts'
import type { PackageLegRecord } from './traveller-records.ts'
import { bookingStep } from './booking-steps.ts'

export interface RideReceiptsDeps {
  readonly identity: NodeIdentity
  readonly district: string
  readonly journal: Journal
  readonly clock: Clock
  readonly emit: Emit
  /** the confirmed leg with this id (hex), if this traveller booked one */
  readonly findLeg: (leg: string) => Promise<PackageLegRecord | undefined>
  /** a ride's receipts close this long after its window: the last one is what the traveller settles (period-extras.ts) */
  readonly receiptGraceMs: number
}

/**
 * The traveller's side of pay per use: a vehicle's usage report is checked against the leg's pricing
 * plan, a speed bound and the quoted cap, and answered with a signed cumulative receipt, journaled
 * before it is sent. After a restart the check resumes from the last receipt signed.
 */
export class RideReceipts {
  readonly #d: RideReceiptsDeps
  /**
   * The check of each ride in progress, by leg. A ride's check goes once its final receipt is signed:
   * kept, a traveller's node held one for every ride it ever took (a report after the end is answered
   * from the journal, not by the check)
   */
  readonly #checks = new Map<string, UsageCheck>()

  constructor(deps: RideReceiptsDeps) {
    this.#d = deps
  }

  /** rides whose usage this traveller is checking now */
  get inProgress(): number {
    return this.#checks.size
  }

  /** Serves a ride stream: checks a vehicle's usage report against the plan, signs a cumulative receipt. */
  async handleRide(ch: FramedChannel): Promise<void> {
    const { identity, district, clock, journal } = this.#d
    const opened = open(await ch.receive(), { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['usage-report'] })
    const report = opened.message as UsageReport
    const leg = toHex(report.leg)
    const found = await this.#d.findLeg(leg)
    const reject = async (code: string, detail: string): Promise<void> => {
      await ch.send(seal('booking-reject', { package: new Uint8Array(0), legId: '', code, detail }, identity.signer))
      this.#d.emit({ type: 'receipt-refused', correlation: leg, code, detail, peer: toHex(opened.signer) })
    }
    if (found == null) {
      await reject('unknown-leg', 'no booked ride with this id')
      return
    }
    const terms = decodeLegTerms(fromHex(found.terms))
    if (!Buffer.from(opened.signer).equals(Buffer.from(terms.provider))) {
      await reject('wrong-signer', 'the report is not signed by the vehicle that was booked')
      return
    }
    const plan = planFromWire(terms.pricing)
    if (plan == null) {
      await reject('no-pricing', 'this leg is not paid per use')
      return
    }
    let check = this.#checks.get(leg)
    const last = await journal.getRecord<RideReceiptRecord>(RIDE_RECEIPTS, leg)
    if (check == null) {
      const bookedS = Math.ceil((terms.arrivalTime - terms.departureTime) / 1000)
      check = new UsageCheck({
        ride: leg,
        plan,
        cap: fareNanos(plan, { seconds: bookedS, metres: terms.distanceM }),
        maxSecondsPerReport: bookedS + 60,
        maxMetresPerSecond: 60,
        ...(last != null ? { resume: receiptTermsOf(last) } : {})
      })
      this.#checks.set(leg, check)
    }
    if (last != null && (last.final || clock.now() >= terms.to + this.#d.receiptGraceMs)) {
      // the ride is over: its final receipt again, never a new one. So is a ride whose receipts closed without
      // a final one (it stopped early, and its window and the grace after it are over): the traveller settles
      // its last receipt as it stands (period-extras.ts), so a later report must not raise what it owes
      this.#checks.delete(leg)
      await ch.send(fromHex(last.envelope))
      return
    }
    let terms2: ReturnType<typeof check.next>
    try {
      terms2 = check.next(
        { ride: leg, seq: report.seq, usage: { seconds: report.seconds, metres: report.metres }, at: report.at },
        clock.now()
      )
    } catch (err) {
      await reject(errorCode(err, 'refused'), (err as Error).message)
      return
    }
    const receipt: UsageReceipt = {
      version: 1,
      district,
      leg: report.leg,
      nonce: terms2.nonce,
      seconds: terms2.usage.seconds,
      metres: terms2.usage.metres,
      total: terms2.totalNanos,
      payer: identity.signer.publicKey,
      payee: terms.provider,
      issuedAt: clock.now()
    }
    const envelope = seal('usage-receipt', receipt, identity.signer)
    const rec: RideReceiptRecord = {
      leg,
      envelope: toHex(envelope),
      nonce: receipt.nonce,
      total: receipt.total,
      payer: identity.iotaAddress,
      payee: iotaAddress(terms.provider),
      issuedAt: receipt.issuedAt,
      final: report.ended,
      role: 'traveller'
    }
    // write before you send: the receipt is a promise to pay
    await journal.putRecord(RIDE_RECEIPTS, leg, rec as unknown as Record<string, unknown>, 'traveller-receipt')
    if (report.ended) this.#checks.delete(leg)
    await ch.send(envelope)
    this.#d.emit({
      type: 'receipt-signed',
      correlation: leg,
      amount: receipt.total,
      detail: `nonce ${receipt.nonce}, ${receipt.seconds} s, ${receipt.metres} m${report.ended ? ', final' : ''}`,
      peer: toHex(terms.provider),
      parent: bookingStep.confirmed(toHex(terms.provider), toHex(terms.package), terms.legId)
    })
  }
}

function receiptTermsOf(r: RideReceiptRecord): {
  ride: string
  nonce: number
  usage: { seconds: number; metres: number }
  totalNanos: number
} {
  const m = open(fromHex(r.envelope), { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['usage-receipt'] }).message as UsageReceipt
  return { ride: r.leg, nonce: m.nonce, usage: { seconds: m.seconds, metres: m.metres }, totalNanos: m.total }
}
