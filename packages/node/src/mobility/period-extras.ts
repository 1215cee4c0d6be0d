import { createHash } from 'node:crypto'
import { decodeLegTerms, encodeBookedLeg, fromHex, signingDomain } from '@kvartal/protocol'
import type { Obligation } from '@kvartal/settlement'
import type { Journal } from '../journal.ts'
import type { ChannelStore } from '../channel-store.ts'
import { PROVIDER_LEGS, RIDE_RECEIPTS, type ProviderLegRecord, type RideReceiptRecord } from './provider-records.ts'
import { PACKAGES, type PackageRecord } from './traveller-records.ts'

/** What a period settles and attests beyond energy trades and meter readings. */
export interface PeriodExtras {
  /** final pay-per-use receipts as debts (payer → payee), netted with the period's trades */
  readonly debts: readonly Obligation[]
  /** attested leaves, each with a name so that its proof can be found later */
  readonly leaves: ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }>
  /** marks the receipts and legs as settled in this period, stores their proofs */
  done(proofs: readonly unknown[]): Promise<void>
}

interface Selection {
  receipts: string[]
  legs: string[]
  heads: Array<{ id: string; index: number; head: string }>
  status: string
}

/** A channel head as an attested leaf: domain ‖ channel id ‖ index (u64 BE) ‖ head hash. */
export function channelHeadLeaf(h: { id: string; index: number; head: string }): Uint8Array {
  const d = signingDomain('channel-head')
  const out = new Uint8Array(d.length + 72)
  out.set(d)
  out.set(fromHex(h.id), d.length)
  new DataView(out.buffer).setBigUint64(d.length + 32, BigInt(h.index))
  out.set(fromHex(h.head), d.length + 40)
  return out
}

/**
 * A final receipt is owed less what the checkout already paid for that leg (its unlock fee).
 * Chooses a period's mobility extras once and journals the choice before anything is paid (like the
 * period's trade set), so a rerun after a crash settles exactly the same: every final receipt not yet
 * settled and issued before the period's end, every booked leg not yet attested, and the head of every
 * channel the node holds.
 */
export async function periodExtras(
  journal: Journal,
  channels: ChannelStore,
  period: string,
  endMs: number,
  receiptGraceMs: number
): Promise<PeriodExtras> {
  let sel = await journal.getRecord<Selection>('period-extra', period)
  const settled = new Set((await journal.records<{ period: string }>('attested')).map(([k]) => k))
  const receipts = new Map(await journal.records<RideReceiptRecord>(RIDE_RECEIPTS))
  const booked = new Map<string, { terms: string; traveller: string; provider: string }>()
  /** what the checkout already paid for each leg: a ride's unlock fee */
  const checkout = new Map<string, number>()
  /** a traveller's rides: when their receipts close (the window's end and the grace after it) */
  const closes = new Map<string, number>()
  for (const [, p] of await journal.records<PackageRecord>(PACKAGES)) {
    for (const l of p.legs) {
      const t = decodeLegTerms(fromHex(l.terms))
      if (p.paymentDigest != null) checkout.set(l.leg, t.price)
      closes.set(l.leg, t.to + receiptGraceMs)
      if ((l.status === 'CONFIRMED' || l.status === 'ENDED') && l.providerSignature != null)
        booked.set(l.leg, { terms: l.terms, traveller: l.travellerSignature, provider: l.providerSignature })
    }
  }
  for (const [leg, r] of await journal.records<ProviderLegRecord>(PROVIDER_LEGS)) {
    if (r.paymentDigest != null) checkout.set(leg, r.price)
    if ((r.status === 'CONFIRMED' || r.status === 'STARTED' || r.status === 'ENDED') && r.travellerSignature != null)
      booked.set(leg, { terms: r.terms, traveller: r.travellerSignature, provider: r.providerSignature })
  }
  if (sel == null) {
    const rides = new Map(await journal.records<ProviderLegRecord>(PROVIDER_LEGS))
    sel = {
      status: 'selected',
      // a ride's last receipt: final, or its ride over (the vehicle's side), or its receipts closed (the
      // traveller's side of a ride that stopped before its final report: traveller-rides.ts signs nothing new then)
      receipts: [...receipts]
        .filter(
          ([leg, r]) =>
            !settled.has(`receipt:${leg}`) &&
            r.issuedAt < endMs &&
            (r.final || rides.get(leg)?.status === 'ENDED' || (r.role === 'traveller' && (closes.get(leg) ?? Infinity) <= endMs))
        )
        .map(([leg]) => leg),
      legs: [...booked.keys()].filter(leg => !settled.has(`leg:${leg}`)),
      heads: await channels.heads()
    }
    await journal.putRecord('period-extra', period, sel as unknown as Record<string, unknown>, 'period-extra')
  }
  const debts: Obligation[] = []
  const leaves: Array<{ name: string; bytes: Uint8Array }> = []
  for (const leg of sel.receipts) {
    const r = receipts.get(leg)
    if (r == null) continue
    // the receipt's total is the GBFS fare of the use, unlock fee included; the checkout paid that fee
    const owed = r.total - Math.min(r.total, checkout.get(leg) ?? 0)
    if (owed > 0) debts.push({ from: r.payer, to: r.payee, amount: owed })
    leaves.push({ name: `receipt:${leg}`, bytes: fromHex(r.envelope) })
  }
  for (const leg of sel.legs) {
    const b = booked.get(leg)
    if (b == null) continue
    leaves.push({ name: `leg:${leg}`, bytes: encodeBookedLeg(decodeLegTerms(fromHex(b.terms)), fromHex(b.traveller), fromHex(b.provider)) })
  }
  for (const h of sel.heads) leaves.push({ name: `channel:${h.id}:${h.index}`, bytes: channelHeadLeaf(h) })
  return {
    debts,
    leaves,
    async done(proofs) {
      for (let i = 0; i < leaves.length; i++) {
        const name = leaves[i].name
        if (name.startsWith('channel:'))
          await journal.putRecord(
            'channel-proofs',
            name.slice(8),
            { period, leaf: createHash('sha256').update(leaves[i].bytes).digest('hex'), proof: proofs[i] as Record<string, unknown> },
            'channel-proof'
          )
        else await journal.putRecord('attested', name, { period, proof: proofs[i] as Record<string, unknown> }, 'attested')
      }
    }
  }
}
