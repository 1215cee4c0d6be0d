import type { CancellationTermsWire, PricingPlanWire } from '@kvartal/protocol'
import type { CancellationTerms, PricingPlan, PricingSegment } from '@kvartal/mobility'

/** GBFS pricing plans inside, their protobuf form on the wire (0 means "none" there). */
export function planToWire(p: PricingPlan | undefined): PricingPlanWire {
  if (p == null) return { planId: '', price: 0, perMinPricing: [], perKmPricing: [], maxPrice: 0 }
  const seg = (s: PricingSegment): PricingPlanWire['perMinPricing'][number] => ({
    start: s.start,
    rate: s.rate,
    interval: s.interval,
    end: s.end ?? 0
  })
  return {
    planId: p.plan_id,
    price: p.price,
    perMinPricing: (p.per_min_pricing ?? []).map(seg),
    perKmPricing: (p.per_km_pricing ?? []).map(seg),
    maxPrice: p.max_price ?? 0
  }
}

/** Undefined for the empty plan (no pay-per-use). */
export function planFromWire(w: PricingPlanWire | undefined): PricingPlan | undefined {
  if (w == null || w.planId === '') return undefined
  const seg = (s: PricingPlanWire['perMinPricing'][number]): PricingSegment => ({
    start: s.start,
    rate: s.rate,
    interval: s.interval,
    ...(s.end > 0 ? { end: s.end } : {})
  })
  return {
    plan_id: w.planId,
    currency: 'IOTA',
    price: w.price,
    ...(w.perMinPricing.length > 0 ? { per_min_pricing: w.perMinPricing.map(seg) } : {}),
    ...(w.perKmPricing.length > 0 ? { per_km_pricing: w.perKmPricing.map(seg) } : {}),
    ...(w.maxPrice > 0 ? { max_price: w.maxPrice } : {})
  }
}

export function cancellationToWire(c: CancellationTerms): CancellationTermsWire {
  return { freeUntilS: c.freeUntilS, feeNanos: c.feeNanos }
}
export function cancellationFromWire(c: CancellationTermsWire | undefined): CancellationTerms {
  return { freeUntilS: c?.freeUntilS ?? 0, feeNanos: c?.feeNanos ?? 0, refundAfterStart: false }
}
