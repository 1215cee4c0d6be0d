/**
 * What every check of the soak's invariants (energy-invariants.ts, mobility-invariants.ts) reads: the
 * district as its config declares it, the journals and the ledger, who is who by key and by address, and
 * where a violation goes.
 */
import type { RawJournal, RawTrade } from './journal-reader.ts'
import type { Ledger } from './ledger-reader.ts'
import type { Violation, ViolationKind } from './violations.ts'

/** A node of the district as its config declares it (input, not run state). */
export interface DistrictNode {
  readonly name: string
  readonly dataDir: string
  /** Wh per slot, cyclic by slot (positive: surplus to sell, negative: need to buy) */
  readonly position?: readonly number[]
  /** a transit operator's seats per trip */
  readonly seatsPerTrip?: number
  /** ms its clock ran ahead of the machine's (negative: behind) */
  readonly skewMs?: number
}

export interface District {
  readonly nodes: readonly DistrictNode[]
  readonly periodSlots: number
  /** when the last process stopped (ms): holds that expire later may still be open */
  readonly stoppedAt: number
  /**
   * ms before the stop within which a trade may still be pending or a package mid-booking: the work a
   * graceful stop interrupted, which the node resumes at its next start (default 15 s)
   */
  readonly graceMs?: number
  /** the slot clock every node ran (slot n starts at epochMs + n × slotMs; its gate closes gateClosureMs before) */
  readonly slots?: { readonly epochMs: number; readonly slotMs: number; readonly gateClosureMs: number }
}

export interface CheckContext {
  readonly d: District
  readonly journals: ReadonlyMap<string, RawJournal>
  readonly ledger: Ledger
  /** every violation found, in the order found */
  readonly violations: Violation[]
  readonly add: (kind: ViolationKind, node: string | undefined, detail: string) => void
  /** a node's name by its public key, and by its ledger address */
  readonly byKey: Map<string, string>
  readonly byAddress: Map<string, string>
  readonly config: Map<string, DistrictNode>
  /** a node's journal, by its name */
  readonly j: (name: string) => RawJournal
  /** a node's trade, by its id and the node's role in it */
  readonly tradeOf: (name: string, id: string, role: string) => RawTrade | undefined
  /** ms before the stop within which work may still be in flight (District's graceMs) */
  readonly grace: number
}

export const SOLD = new Set(['CONFIRMED', 'STARTED', 'ENDED'])
export const periodIndex = (period: string): number => Number(period.slice(period.lastIndexOf('/') + 1))
export const short = (id: string): string => id.slice(0, 12)

/** Gathers what the checks read, once: it finds no violation itself. */
export function checkContext(d: District, journals: ReadonlyMap<string, RawJournal>, ledger: Ledger): CheckContext {
  const v: Violation[] = []
  const add = (kind: ViolationKind, node: string | undefined, detail: string): void => {
    v.push({ kind, ...(node != null ? { node } : {}), detail })
  }
  const byKey = new Map<string, string>()
  const byAddress = new Map<string, string>()
  for (const [name, j] of journals) {
    byKey.set(j.publicKey, name)
    byAddress.set(j.address, name)
  }
  const config = new Map(d.nodes.map(n => [n.name, n]))
  const j = (name: string): RawJournal => journals.get(name)!
  const index = new Map([...journals].map(([name, jr]) => [name, new Map(jr.trades.map(t => [`${t.id} ${t.role}`, t]))]))
  const tradeOf = (name: string, id: string, role: string): RawTrade | undefined => index.get(name)!.get(`${id} ${role}`)
  const grace = d.graceMs ?? 15_000
  return { d, journals, ledger, violations: v, add, byKey, byAddress, config, j, tradeOf, grace }
}
