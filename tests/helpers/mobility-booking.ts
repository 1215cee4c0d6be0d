import { PROVIDER_LEGS, type KvartalNode, type ProviderLegRecord } from '@kvartal/node'

// What the booking tests share (mobility-booking.test.ts, mobility-booking-faults.test.ts): the time of day of
// an instant, and what a provider journaled of the legs it was asked for.

export const dayS = (ms: number): number => Math.floor((ms % 86_400_000) / 1000)

export async function providerLegs(n: KvartalNode): Promise<ProviderLegRecord[]> {
  return (await n.journal.records<ProviderLegRecord>(PROVIDER_LEGS)).map(([, r]) => r)
}
