import type { ScenarioResult } from './scenario-result.ts'
import type { MobilityMetrics } from './mobility-metrics.ts'
import type { DistrictMetrics } from './metrics.ts'

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`
const kwh = (wh: number): string => `${(wh / 1000).toFixed(1)} kWh`
const iota = (nanos: number): string => `${(nanos / 1e9).toFixed(3)} IOTA`

/**
 * With several feeders: the three whose buildings fell furthest short, in kWh, of what the optimum has them buy in
 * the district (a share would name small feeders first; results.json has every feeder's figures,
 * `metrics.grid.byFeeder`).
 */
export function weakestFeeders(byFeeder: NonNullable<ScenarioResult['metrics']['grid']>['byFeeder']): Array<[string, string]> {
  const all = Object.entries(byFeeder)
  if (all.length < 2) return []
  const short = ([, f]: (typeof all)[number]): number => f.optimumWithinWh + f.optimumImportedWh - f.withinWh - f.importedWh
  const weakest = all
    .filter(f => short(f) > 0)
    .sort((x, y) => short(y) - short(x) || x[0].localeCompare(y[0]))
    .slice(0, 3)
  if (weakest.length === 0) return [['weakest feeders', 'none: every feeder bought what the optimum has it buy']]
  return [
    [
      'weakest feeders',
      weakest.map(f => `${f[0]} ${kwh(short(f))} short of the optimum's ${kwh(f[1].optimumWithinWh + f[1].optimumImportedWh)}`).join(', ')
    ]
  ]
}

/** The summary table printed at the end of a simulation. */
export function summaryTable(r: ScenarioResult): string {
  const m = r.metrics
  const rows: Array<[string, string]> = [
    [
      'district',
      `${r.scenario.district}, ${m.buildings} buildings${r.vehicles != null ? ` + ${r.vehicles.length} mobility providers` : ''}, ` +
        `${m.slots} slots of ${r.scenario.slots.minutes} min from ${r.scenario.date}` +
        (m.warmupSlots != null ? ` (after ${m.warmupSlots} slots of warm-up, traded and left out of the figures)` : '')
    ],
    ['strategy', r.scenario.market.strategy],
    ...(m.grid != null
      ? [
          [
            'feeders',
            `${m.grid.feeders}; ${kwh(m.grid.crossFeederWh)} traded across feeders (optimum ` +
              `${kwh(m.grid.optimumCrossFeederWh)}), grid fees ${iota(m.grid.gridFeesNanos)}`
          ] as [string, string],
          ...weakestFeeders(m.grid.byFeeder)
        ]
      : []),
    [
      'local energy traded',
      `${kwh(m.localEnergyWh)} of ${kwh(m.physicalMaxWh)} physical ` +
        `maximum${m.grid != null ? ' the feeders allow' : ''} (${pct(m.localShare)})`
    ],
    [
      'welfare',
      `${iota(m.welfareNanos)} of ${iota(m.optimumWelfareNanos)} central ` +
        `optimum${m.grid != null ? ' (after grid fees, same limits)' : ''} (${pct(m.welfareShare)})`
    ],
    ['self-sufficiency', `${pct(m.selfSufficiency)} (without local trading ${pct(m.selfSufficiencyWithoutTrading)})`],
    [
      'grid import / export',
      `${kwh(m.gridImportWh)} / ` +
        kwh(m.gridExportWh) +
        (m.vehicleToBuildingWh + m.buildingToVehicleWh > 0
          ? `; from / to vehicles ${kwh(m.vehicleToBuildingWh)} / ${kwh(m.buildingToVehicleWh)}`
          : '')
    ],
    ['trades', `${m.trades}, ${iota(m.paidNanos)} paid locally, average ${(m.averagePrice / 1e9).toFixed(3)} IOTA/kWh`],
    [
      'negotiations',
      `${m.negotiations.proposals} proposals: ${m.negotiations.committed} committed, ${m.negotiations.rejected} ` +
        `rejected, ${m.negotiations.walkedAway} walked away, ${m.negotiations.failed} failed`
    ],
    ...refusalsLine(m.negotiations),
    [
      'messages per node',
      `${m.perNode.messages} (${m.perNode.gossipMessages} gossip, ${m.perNode.streamFrames} stream ` +
        `frames, ${m.perNode.catchUpFrames} catch-up frames), ${(m.perNode.bytes / 1024).toFixed(1)} KiB`
    ],
    ['gossip per node', `${m.gossipPerNodePerSlot.mean} messages received per slot (most: ${m.gossipPerNodePerSlot.max})`],
    ['gossip catch-up', `${m.catchUp.pulls} pulls brought ${m.catchUp.caughtUp} messages that gossip had not delivered`],
    ['negotiation latency', `p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms`],
    [
      'consistency',
      `${m.consistency.sellerTrades} seller = ${m.consistency.buyerTrades} buyer records, ` +
        `${m.consistency.mismatched} mismatched, ${m.consistency.oversoldSlots} oversold ` +
        `slots${m.grid != null ? `, ${m.consistency.feederSlotsOverLimit} feeder-slots over the transformer limit` : ''}`
    ],
    [
      'settlement',
      `${r.settlement.payments} payments + ${r.settlement.attestations} attestations in ${r.settlement.onChainTransactions} ` +
        `ledger transactions (${r.settlement.paymentsCarryingAttestation} payments carry their root), ` +
        `${r.settlement.onChainTransactionsPerTrade} per trade ` +
        `(${r.settlement.adapter.split(' (')[0]})` +
        (r.settlement.ledgerTransactions !== r.settlement.onChainTransactions ? `; ${r.settlement.ledgerTransactions} with bookings` : '')
    ],
    [
      'paid vs owed',
      `${iota(r.settlement.totalPaidNanos)} paid, ${iota(r.settlement.totalOwedNanos)} ` +
        `owed after netting${r.settlement.paidEqualsOwed ? '' : '  MISMATCH'}`
    ],
    ['verifiable trades', `${r.settlement.verifiedTrades} of ${r.settlement.trades} (signatures, inclusion proof, attested root)`],
    ...(r.mobility != null ? mobilityRows(r.mobility) : []),
    [
      'wall time',
      `${(r.wallMs / 1000).toFixed(1)} s (start ${(r.startupMs / 1000).toFixed(1)} s, ${r.wallMsPerSlot} ms per ` +
        'slot)' +
        (r.processes != null ? `, on ${r.processes.length} processes (${r.processes.map(p => p.nodes.length).join(' + ')} nodes)` : '')
    ]
  ]
  const w = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')
}

const minutes = (s: number): string => `${(s / 60).toFixed(1)} min`
const count = (o: Record<string, number>): string =>
  Object.entries(o)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')

function mobilityRows(x: MobilityMetrics): Array<[string, string]> {
  const j = x.journeys
  const p = x.perJourney
  const failed = j.failed === 0 ? '' : ` (${count(j.failedBy)})`
  return [
    [
      'mobility',
      (x.fleet.transitOperators > 0 ? `transit ${x.network.stops} stops, ${x.network.routes} lines, ${x.network.trips} trips; ` : '') +
        `${x.fleet.bikes} bikes, ${x.fleet.scooters} scooters, ${x.fleet.cars} car-share EVs`
    ],
    ['journeys', `${j.requested} requested: ${j.booked} booked, ${j.walked} walked, ${j.failed} failed${failed}`],
    ['booked by mode', j.booked === 0 ? '-' : count(j.bookedByMode)],
    [
      'per booked journey',
      j.booked === 0
        ? '-'
        : `${minutes(p.doorToDoorS)} door to door, ${iota(p.paidNanos)} paid (${iota(p.plannedPriceNanos)} planned), ${p.co2G} g CO₂`
    ],
    [
      'drive alone instead',
      j.booked === 0
        ? '-'
        : `${minutes(p.driveAlone.doorToDoorS)}, ${iota(p.driveAlone.priceNanos)}, ` +
          `${p.driveAlone.co2G} g CO₂ (same trips by private car, drive-alone.ts)`
    ],
    [
      'holds',
      `${x.holds.held} legs held, ${x.holds.released} released (${x.holds.expired} expired), ${x.holds.packagesReleased} packages released`
    ],
    [
      'booking payments',
      `${x.payments.bookingPayments} payments + ${x.payments.refunds} refunds = ${x.payments.perJourney} per booked journey`
    ],
    [
      'receipts',
      `${x.receipts.signed} signed, ${x.receipts.settled} final settled in ${x.receipts.carryingPayments} period payments: ` +
        `${x.receipts.perOnChainTransaction} per on-chain transaction (${x.receipts.signedPerOnChainTransaction} signed)`
    ],
    [
      'on-chain per journey',
      `${x.onChain.perJourney} (${x.onChain.bookingTransactions} booking + ${x.onChain.mobilityPeriodTransactions} ` +
        `mobility-only period transactions), settlement alone ${x.onChain.settlementPerJourney}`
    ],
    [
      'vehicle energy',
      `car-share EVs sold ${kwh(x.vehicleEnergy.soldWh)}, bought ${kwh(x.vehicleEnergy.boughtWh)} in ${x.vehicleEnergy.trades} ` +
        `trades${x.vehicleEnergy.overcommitted > 0 ? `, ${x.vehicleEnergy.overcommitted} refused by the battery budget` : ''}`
    ],
    [
      'ledger',
      `${iota(x.ledger.balancesNanos)} in all accounts = ${iota(x.ledger.mintedNanos)} ` +
        `minted${x.ledger.conserved ? '' : '  MISMATCH'}` +
        (x.paidBeyondFareNanos !== 0 ? `; ${iota(x.paidBeyondFareNanos)} paid beyond the fare of the use` : '')
    ]
  ]
}

/** A one-line progress bar for a terminal (stderr). */
export function progressBar(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let last = -1
  return (done, total) => {
    const p = Math.floor((done / total) * 40)
    if (p === last && done !== total) return
    last = p
    if (stream.isTTY)
      stream.write(`\r[${'#'.repeat(p)}${'.'.repeat(40 - p)}] ${Math.round((done / total) * 100)}%${done === total ? '\n' : ''}`)
    else if (done === total || p % 10 === 0) stream.write(`progress ${Math.round((done / total) * 100)}%\n`)
  }
}

/** The refusals buyers met, the four commonest codes, and the referrals they carried; nothing when there were none. */
function refusalsLine(n: DistrictMetrics['negotiations']): Array<[string, string]> {
  const codes = Object.entries(n.refusals ?? {})
  if (codes.length === 0) return []
  const shown = codes.slice(0, 4).map(([code, k]) => `${code} ${k}`)
  if (codes.length > 4) shown.push(`${codes.slice(4).reduce((a, [, k]) => a + k, 0)} other`)
  const referred =
    (n.referrals?.refusals ?? 0) > 0 ? `; ${n.referrals.refusals} named ${n.referrals.sellers} other sellers (referrals)` : ''
  return [['refusals', shown.join(', ') + referred]]
}
