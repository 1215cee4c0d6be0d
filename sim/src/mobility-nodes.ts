import { strategyByName } from '@kvartal/market'
import type { MobilityOptions } from '@kvartal/node'
import type { Coordinate } from '@kvartal/mobility'
import type { NodeResult } from './district-run-result.ts'
import type { SimNodeSpec } from './node-spec.ts'
import type { Scenario } from './scenario.ts'
import type { MobilityScenario } from './mobility-scenario.ts'
import type { MobilityDistrict } from './mobility-district.ts'
import type { VehicleKind } from './district-map.ts'
import { keySeedFor } from './key-seed.ts'

/**
 * What every node of a district with mobility gets: the timetable to plan on, the offer interval, and with
 * `gossipByZone` the zones it reads: a building's trips start at home (trip-demand.ts), so it reads the zones around
 * it; a vehicle or the operator plans nothing, and reads no zone.
 */
export function travellerOptions(m: MobilityScenario, district: MobilityDistrict, home?: Coordinate): Partial<MobilityOptions> {
  return {
    timetable: district.timetable,
    offerEveryMs: m.offerEveryMinutes * 60_000,
    ...(m.gossipByZone ? { zones: home != null ? { home } : {} } : {})
  }
}

/**
 * The vehicles and the transit operator as nodes of the same mesh, clock and ledger. Only the car-share
 * EVs trade energy, from and into their batteries under the node's policy (vehicle-energy.ts): they buy
 * at most at feed-in + 30 % of the tariff band (cheap midday surplus) and sell at least at feed-in + 60 %
 * (a spread that pays for a cycle's battery wear).
 */
export function providerNodes(s: Scenario, m: MobilityScenario, district: MobilityDistrict): SimNodeSpec[] {
  const band = s.tariffs.retail - s.tariffs.feedIn
  return district.providers.map(p => {
    // a car's position and meter come from its battery budget in the node (vehicle-energy.ts)
    return {
      name: p.name,
      keySeed: keySeedFor(s.seed, `provider/${p.name}`),
      strategy: strategyByName(s.market.strategy)!,
      profile: {
        buyLimit: Math.round(s.tariffs.feedIn + 0.3 * band),
        sellLimit: Math.round(s.tariffs.feedIn + 0.6 * band),
        position: () => 0
      },
      mobility: { ...travellerOptions(m, district), provider: p.service }
    }
  })
}

export interface ProviderResult {
  id: string
  kind: VehicleKind | 'transit'
  trader: string
  iotaAddress: string
  location?: { lat: number; lon: number }
  soldWh: number
  boughtWh: number
  /** rides (or trips' seats) that ended */
  rides: number
  /** what its confirmed legs cost at checkout, from its own journal */
  legsNanos: number
  /** its rides' final receipts, from its own journal */
  receiptsNanos: number
  /**
   * what it is owed for its sold legs: the checkout price, or a ride's final receipt when larger (the receipt's fare
   * includes the unlock fee)
   */
  dueNanos: number
  /** its account's change on the ledger */
  receivedNanos: number
}

export function providerResult(district: MobilityDistrict, index: number, n: NodeResult, balanceChange: number): ProviderResult {
  const p = district.providers[index]
  const legs = n.mobility?.providerLegs ?? []
  return {
    id: p.name,
    kind: p.kind,
    trader: n.id,
    iotaAddress: n.node.identity.iotaAddress,
    ...(p.service.kind === 'vehicle' ? { location: n.node.mobility?.provider?.position ?? p.service.position } : {}),
    soldWh: n.node.stats.soldWh,
    boughtWh: n.node.stats.boughtWh,
    rides: legs.filter(([, l]) => l.status === 'ENDED').length,
    legsNanos: legs.filter(([, l]) => ['CONFIRMED', 'STARTED', 'ENDED'].includes(l.status)).reduce((a, [, l]) => a + l.price, 0),
    receiptsNanos: (n.mobility?.receipts ?? []).filter(([, r]) => r.role === 'vehicle' && r.final).reduce((a, [, r]) => a + r.total, 0),
    dueNanos: legs
      .filter(([, l]) => ['CONFIRMED', 'STARTED', 'ENDED'].includes(l.status))
      .reduce((a, [leg, l]) => {
        const r = (n.mobility?.receipts ?? []).find(([id, x]) => id === leg && x.role === 'vehicle' && x.final)?.[1]
        return a + Math.max(l.price, r?.total ?? 0)
      }, 0),
    receivedNanos: balanceChange
  }
}
