/**
 * The soak's invariants, checked after every process has stopped, from the journals (read raw by
 * journal-reader.ts) and the ledger (read by ledger-reader.ts) alone: nothing the run kept in memory.
 * It shares no helper with the node: it decodes trades, derives keys, nets and prices on its own.
 * The kinds of violation are listed in violations.ts; the checks are in energy-invariants.ts,
 * mobility-invariants.ts, ride-invariants.ts and meter-invariants.ts (against what the soak's broker published,
 * meter-truth.ts), over what check-context.ts gathers.
 */
import { readJournal, type RawJournal } from './journal-reader.ts'
import { readLedger, type Ledger } from './ledger-reader.ts'
import { checkContext, type District } from './check-context.ts'
import { checkSettlement, checkSlots, checkTrades } from './energy-invariants.ts'
import { checkMobility } from './mobility-invariants.ts'
import { checkRides } from './ride-invariants.ts'
import { checkMeters } from './meter-invariants.ts'
import { readMeterTruth, type MeterTruth } from './meter-truth.ts'
import type { InvariantReport } from './violations.ts'

export {
  VIOLATION_KINDS,
  RIDE_VIOLATION_KINDS,
  METER_VIOLATION_KINDS,
  type InvariantReport,
  type Violation,
  type ViolationKind
} from './violations.ts'
export type { District, DistrictNode } from './check-context.ts'

/** Reads every node's journal, the ledger file and what the meters published (no file: no node has a meter), then checks. */
export async function checkDistrict(d: District, ledgerFile: string, meterTruthFile?: string): Promise<InvariantReport> {
  const journals = new Map<string, RawJournal>()
  for (const n of d.nodes) journals.set(n.name, await readJournal(n.dataDir))
  const truth = meterTruthFile == null ? new Map() : await readMeterTruth(meterTruthFile)
  return checkInvariants(d, journals, await readLedger(ledgerFile), truth)
}

export function checkInvariants(
  d: District,
  journals: ReadonlyMap<string, RawJournal>,
  ledger: Ledger,
  meterTruth: MeterTruth = new Map()
): InvariantReport {
  const c = checkContext(d, journals, ledger)
  for (const u of ledger.unreadable) c.add('unreadable-transaction', undefined, `${u.digest}: ${u.why}`)
  const energy = checkTrades(c)
  const latestAfterTrueGateMs = checkSlots(c)
  const { periodsSettled, nettedBothWays } = checkSettlement(c)
  const mobility = checkMobility(c)
  const rides = checkRides(c)
  const meters = checkMeters(c, meterTruth)
  return {
    trades: energy.trades,
    bookings: mobility.bookings,
    inFlight: energy.inFlight + mobility.inFlight,
    legsSold: mobility.legsSold,
    rides,
    nettedBothWays,
    periodsSettled,
    ledgerPayments: ledger.payments.filter(p => p.transfers.length > 0).length,
    meters,
    ...(Number.isFinite(latestAfterTrueGateMs) ? { latestAfterTrueGateMs } : {}),
    violations: c.violations
  }
}
