import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { KvartalError, type NodeEvent } from '@kvartal/protocol'
import type { JourneyOutcome } from '../trip-agent.ts'
import { TRACE_FORMAT, kvartalVersion, type RunStarted } from './trace-header.ts'

/**
 * A trace that cannot be replayed: a line that is not a JSON object (malformed, or cut off), an event
 * without its type, node or time, a trace without its header, or one written in another format. The
 * CLI prints its message and exits 2.
 */
export class TraceError extends KvartalError {
  /** the 1-based line of the trace at fault (0: the file as a whole) */
  readonly line: number
  constructor(path: string, line: number, message: string) {
    super('trace', `${path}${line > 0 ? ` line ${line}` : ''}: ${message}`)
    this.name = 'TraceError'
    this.line = line
  }
}

/** A trace line after the header: a node's event (with the names trace-names.ts adds), or a journey's outcome. */
export type TraceLine = (NodeEvent & { name?: string; peerName?: string }) | { type?: undefined; [k: string]: unknown }

export interface Trace {
  readonly header: RunStarted
  /** the node events, in the order the run wrote them */
  readonly events: Array<NodeEvent & { name?: string; peerName?: string }>
  /** the journeys' outcomes (`journey-outcome` lines; older traces wrote them without a type), in the order the run wrote them */
  readonly journeys: Array<JourneyOutcome & { name?: string }>
  /**
   * for each journey, how many events the run had written before it: where, among the events, the run
   * handed it to the dashboard (`onJourney`), which is where a replay plays it
   */
  readonly journeyPlaces: number[]
}

function parseLine(path: string, n: number, line: string): Record<string, unknown> {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch (err) {
    throw new TraceError(path, n, `not a JSON line (${(err as Error).message}): the trace is damaged or was cut off`)
  }
  if (v == null || typeof v !== 'object' || Array.isArray(v)) throw new TraceError(path, n, 'not a JSON object')
  return v as Record<string, unknown>
}

/** Checks the header line: a `run-started` of this format. */
export function checkHeader(path: string, v: Record<string, unknown>): RunStarted {
  if (v.type !== 'run-started')
    throw new TraceError(
      path,
      1,
      `no run-started header: written by a kvartal older than the replay (this is ${kvartalVersion}); run kvartal sim again`
    )
  if (v.format !== TRACE_FORMAT)
    throw new TraceError(
      path,
      1,
      `trace format ${String(v.format)} (kvartal ${String(v.kvartal)}): this kvartal (${kvartalVersion}) ` +
        `replays format ${TRACE_FORMAT} only; replay it with the kvartal that wrote it, or run kvartal sim again`
    )
  for (const k of ['scenario', 'nodes', 'facts', 'run', 'layout'])
    if (v[k] == null || typeof v[k] !== 'object') throw new TraceError(path, 1, `the run-started header has no ${k}`)
  return v as unknown as RunStarted
}

/** Checks a journey-outcome line for what the dashboard reads of it. */
function checkJourney(path: string, n: number, v: Record<string, unknown>): JourneyOutcome & { name?: string } {
  const ok =
    typeof v.id === 'number' &&
    typeof v.node === 'string' &&
    typeof v.departAfter === 'number' &&
    (v.status === 'walked' || v.status === 'failed' || (v.status === 'booked' && v.journey != null && typeof v.journey === 'object')) &&
    v.baseline != null &&
    typeof v.baseline === 'object' &&
    (v.legs == null || Array.isArray(v.legs))
  if (!ok) throw new TraceError(path, n, 'a journey-outcome needs an id, a node, a time (departAfter), a status and a baseline')
  return v as unknown as JourneyOutcome & { name?: string }
}

/** Reads a whole trace: its header, then every event and journey line, each checked. */
export async function readTrace(path: string): Promise<Trace> {
  const input = createReadStream(path, 'utf8')
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => {
      resolve()
    })
    input.once('error', reject)
  })
  try {
    await opened
  } catch (err) {
    throw new TraceError(path, 0, `cannot be read (${(err as Error).message})`)
  }
  const lines = createInterface({ input, crlfDelay: Infinity })
  let header: RunStarted | undefined
  const events: Trace['events'] = []
  const journeys: Trace['journeys'] = []
  const journeyPlaces: number[] = []
  let n = 0
  let ended = false
  for await (const line of lines) {
    n++
    if (line.trim() === '') continue
    const v = parseLine(path, n, line)
    if (header == null) {
      header = checkHeader(path, v)
      continue
    }
    if (ended) throw new TraceError(path, n, 'a line after run-ended: two runs in one file?')
    if (v.type == null || v.type === 'journey-outcome') {
      journeys.push(checkJourney(path, n, v))
      journeyPlaces.push(events.length)
      continue
    }
    if (typeof v.type !== 'string' || typeof v.node !== 'string' || typeof v.at !== 'number')
      throw new TraceError(path, n, 'an event needs a type, a node and a time (at)')
    if (v.type === 'run-started') throw new TraceError(path, n, 'a second run-started header: two runs in one file')
    if (v.type === 'run-ended') {
      ended = true
      continue
    }
    events.push(v as unknown as Trace['events'][number])
  }
  if (header == null) throw new TraceError(path, 0, 'empty: no run-started header')
  if (!ended) throw new TraceError(path, n + 1, 'the trace ends before the run did (no run-ended line): it was cut off')
  return { header, events, journeys, journeyPlaces }
}
