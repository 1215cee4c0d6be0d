/** The soak's options, their defaults, and what a run reports (run.ts's `runSoak`). */
import type { MeterFigures, Violation } from './violations.ts'

export interface SoakOptions {
  readonly seed: number
  /** the trading phase's longest wall time, ms (it ends sooner once both targets are reached) */
  readonly durationMs: number
  readonly targetTrades: number
  readonly targetBookings: number
  readonly sellers: number
  readonly buyers: number
  /** traders that sell in some slots and buy in others: the netting invariant then meets pairs that trade both ways */
  readonly prosumers: number
  /** travellers booking bus seats (0: no mobility, no operator) */
  readonly travellers: number
  /** rental bikes (vehicle providers, pay per use) and riders renting them through the control API (0 of either: no rides) */
  readonly vehicles: number
  readonly riders: number
  /**
   * how many of the sellers, then the prosumers, have a meter: an MQTT gateway the soak's broker publishes their
   * registers through (meter-feed.ts); the others record every slot as a gap
   */
  readonly meters: number
  /** mean ms between kills (0: no kills) */
  readonly killEveryMs: number
  /**
   * `netns`: each node in a network namespace of its own, on a bridge (netns.ts; needs root), where
   * partitions and loss can come between them; `loopback`: all on 127.0.0.1
   */
  readonly network: 'loopback' | 'netns'
  /** mean ms between partitions (0: none; netns only) */
  readonly partitionEveryMs: number
  /** mean ms a partition lasts */
  readonly partitionMs: number
  /**
   * partitions to have made and healed before the trading ends on its targets (within `durationMs`): a run that
   * reaches its targets quickly (a quiet machine) or slowly (a loaded one) still meets the faults it is about
   */
  readonly minPartitions: number
  /** % of packets between nodes dropped throughout the trading (netns only) */
  readonly lossPercent: number
  /** each node's clock off the machine's by up to ± this many ms, drawn from the seed (skew-clock.ts; 0: none) */
  readonly skewMs: number
  readonly slotSeconds: number
  readonly periodSlots: number
  /** a bus leaves every 20 s: at 6 seats a trip, bookings were capped at 18 a minute (810 in 45 minutes, short of the
   * 1,000 target), and three travellers asked about six times a second; 16 still sells most trips out */
  readonly seatsPerTrip: number
  /** % of confirmed packages the traveller cancels at once, under its legs' terms (a refund: the invariants check it) */
  readonly cancelPercent: number
  /** keep the run's directory (data directories, configs, ledger) instead of removing it */
  readonly keep: boolean
  /** a line of progress now and then */
  readonly onProgress?: (line: Record<string, unknown>) => void
}

export const defaultSoakOptions: SoakOptions = {
  seed: 1,
  durationMs: 20 * 60_000,
  targetTrades: 10_000,
  targetBookings: 1_000,
  sellers: 4,
  buyers: 4,
  prosumers: 2,
  travellers: 3,
  vehicles: 2,
  riders: 3,
  meters: 6,
  killEveryMs: 4_000,
  slotSeconds: 3,
  periodSlots: 5,
  seatsPerTrip: 16,
  cancelPercent: 20,
  keep: false,
  network: 'loopback',
  partitionEveryMs: 0,
  partitionMs: 5_000,
  minPartitions: 0,
  lossPercent: 0,
  skewMs: 0
}

export interface SoakResult {
  seed: number
  nodes: number
  kills: number
  restarts: number
  /** kills the schedule drew for a node that was still restarting from an earlier one */
  killsSkipped: number
  /** restarts whose process exited before it listened (each retried) */
  restartFailures: Array<{ node: string; detail: string }>
  /** partitions made and healed, their total length (s), and the packets they and the loss dropped */
  partitions: number
  partitionedS: number
  dropped?: { partition: number; loss: number }
  /** each node's clock skew, ms, when there was one */
  skews?: Record<string, number>
  /** the latest a seller committed a trade after its slot's gate closed by the machine's (true) clock, ms (negative: all before) */
  latestAfterTrueGateMs?: number
  /** trades committed by both sides, from the journals */
  trades: number
  /** packages confirmed (and still so, or cancelled since), from the journals */
  bookings: number
  bookingAttempts: number
  /** why booking calls failed, by error code (a traveller killed mid-call, no seats left, …) */
  bookingErrors: Record<string, number>
  /** what each booking attempt that did not throw came back with: CONFIRMED, or its status and the first leg's refusal code */
  bookingOutcomes: Record<string, number>
  /** cancellations asked for, by what came back: the package's status (CANCELLED, …) or the error's code */
  cancellations: Record<string, number>
  legsSold: number
  /** rides from the journals: booked (sold by the vehicle), started, ended, paid (the traveller settled its last receipt) */
  rides: { booked: number; started: number; ended: number; paid: number; receipts: number }
  /** what each ride attempt came back with: CONFIRMED, a refusal's code, or an error's */
  rideOutcomes: Record<string, number>
  rideAttempts: number
  /** kills by the victim's role (vehicle and rider: the ride nodes) */
  killsByRole: Record<string, number>
  /** periods (node, period, counterparty) whose trades ran both ways: the netting invariant checked on them */
  nettedBothWays: number
  periodsSettled: number
  ledgerPayments: number
  /** each metered node's chain from its journal: readings, gaps (by why), and the samples published for it */
  meters: Record<string, MeterFigures>
  inFlight: number
  violations: Violation[]
  wallTimeS: number
  tradingS: number
  dir?: string
}
