import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'

/** What the report reads from trace.ndjson: what results.json does not hold. */
export interface TraceFacts {
  /**
   * committed trades (the seller's record of each: one per trade), by slot: count, energy, Σ energy × price, lowest and
   * highest price (nanos per kWh)
   */
  readonly pricesBySlot: Map<number, { trades: number; energyWh: number; valueNanosWh: number; min: number; max: number }>
  /**
   * each settlement period (its correlation, e.g. `trondheim/0`): nodes settled, their trades, what they paid, to the
   * grid operator and receivable from it, nanos
   */
  readonly periods: Map<string, { nodes: number; trades: number; paidNanos: number; toGridOperatorNanos: number; receivableNanos: number }>
}

export function emptyTraceFacts(): TraceFacts {
  return { pricesBySlot: new Map(), periods: new Map() }
}

/** Folds one trace line (an event or a journey outcome) into the facts. */
export function addTraceEvent(f: TraceFacts, e: Record<string, unknown>): void {
  if (
    e.type === 'trade-committed' &&
    e.detail === 'seller' &&
    typeof e.slot === 'number' &&
    typeof e.price === 'number' &&
    typeof e.energyWh === 'number'
  ) {
    const p = f.pricesBySlot.get(e.slot) ?? { trades: 0, energyWh: 0, valueNanosWh: 0, min: Infinity, max: -Infinity }
    p.trades++
    p.energyWh += e.energyWh
    p.valueNanosWh += e.energyWh * e.price
    p.min = Math.min(p.min, e.price)
    p.max = Math.max(p.max, e.price)
    f.pricesBySlot.set(e.slot, p)
  }
  if (e.type === 'period-settled' && typeof e.correlation === 'string') {
    // period-settler.ts: "<n> trades, root <hex>, paid <nanos> nanos[, …] [(<nanos> to the grid operator, <nanos> receivable from it)]"
    const d = typeof e.detail === 'string' ? e.detail : ''
    const num = (re: RegExp): number => Number(re.exec(d)?.[1] ?? 0)
    const p = f.periods.get(e.correlation) ?? { nodes: 0, trades: 0, paidNanos: 0, toGridOperatorNanos: 0, receivableNanos: 0 }
    p.nodes++
    p.trades += num(/^(\d+) trades/)
    p.paidNanos += num(/paid (\d+) nanos/)
    p.toGridOperatorNanos += num(/\((\d+) to the grid operator/)
    p.receivableNanos += num(/(\d+) receivable from it/)
    f.periods.set(e.correlation, p)
  }
}

/** Reads trace.ndjson line by line (a large district's trace does not fit one string comfortably). */
export async function readTraceFacts(path: string): Promise<TraceFacts> {
  const f = emptyTraceFacts()
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
  for await (const line of lines) {
    if (line.trim() === '') continue
    addTraceEvent(f, JSON.parse(line) as Record<string, unknown>)
  }
  return f
}
