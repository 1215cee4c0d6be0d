import { existsSync } from 'node:fs'
import { ControlClientError, callNode } from './control-client.ts'
import { dataDirOf, output, type ClientOptions } from './client-args.ts'
import type { JournalStatusAnswer, MeterStatusAnswer } from './control-api.ts'

interface Status {
  peerId: string
  trader: string
  iotaAddress: string
  addrs: string[]
  peers: number
  settlement: string
  /** absent from a node older than this CLI */
  meterStatus?: MeterStatusAnswer
  /** absent from a node older than this CLI */
  journal?: JournalStatusAnswer
  mobility: { role: string; services: number; vehicles: number; timetable: { stops: number; patterns: number } } | null
}

/** A stopped node: who it is, from the key in its data directory (nothing is created there). */
async function stoppedNode(
  dir: string,
  why: ControlClientError
): Promise<{ running: false; peerId: string; trader: string; iotaAddress: string }> {
  if (!existsSync(dir)) throw why
  const { Journal } = await import('@kvartal/node')
  const { identityFromSeed } = await import('@kvartal/mesh')
  const journal = await Journal.open(dir)
  try {
    const seed = await journal.loadSeed()
    if (seed == null) throw why
    const id = await identityFromSeed(seed)
    return { running: false, peerId: id.peerId.toString(), trader: id.id, iotaAddress: id.iotaAddress }
  } finally {
    await journal.close()
  }
}

/** `open, 412 entries`, or why the journal refuses writes (then the node takes no new work) */
export function journalLine(j: JournalStatusAnswer): string {
  return j.refusing == null
    ? `open, ${j.entries} entries`
    : `REFUSING WRITES (${j.refusing.code}): no new work until it writes again; ${j.refusing.detail}`
}

/** `mqtt mqtt:p1/state; last reading 2026-06-17T08:00:03.000Z; 96 readings, 2 gaps (last: slot 41, no sample at the slot's end)` */
export function meterLine(m: MeterStatusAnswer): string {
  if (m.kind === 'none') return `none: every slot is a gap (${m.gaps} so far); configure meter.mqtt, meter.p1 or meter.han`
  const refused = Object.values(m.refused).reduce((a, n) => a + n, 0)
  return (
    `${m.kind} ${m.id ?? ''}; last reading ${m.lastReadingAt ?? 'none since the node started'}; ${m.readings} readings, ${m.gaps} gaps` +
    (m.lastGap != null ? ` (last: slot ${m.lastGap.slot}, ${m.lastGap.why})` : '') +
    (refused > 0 ? `; ${refused} messages refused` : '') +
    (m.battery != null ? `\nbattery     ${batteryLine(m.battery)}` : '')
  )
}

/** A battery as its device reported it: what it does, how full, how much it holds; what it does not say, left out. */
export function batteryLine(b: NonNullable<MeterStatusAnswer['battery']>): string {
  const parts = [b.chargeState]
  if (b.stateOfChargePct != null)
    parts.push(`${b.stateOfChargePct} % charged` + (b.storedWh != null ? ` (${b.storedWh} of ${b.capacityWh} Wh)` : ''))
  if (b.minReservePct != null) parts.push(`reserve ${b.minReservePct} %`)
  if (b.maxChargeW != null) parts.push(`charges at most ${b.maxChargeW} W`)
  if (b.batteryV != null) parts.push(`${b.batteryV} V`)
  return `${parts.join('; ')} (read ${new Date(b.at).toISOString()})`
}

/**
 * `kvartal status --data-dir <dir>`: who a running node is and what it knows of the mobility market;
 * of a stopped node, who it is (its journal is opened only when no node runs there).
 */
export async function statusCommand(values: ClientOptions): Promise<number> {
  const dir = await dataDirOf(values, 'kvartal status --data-dir <dir>')
  let answer: (Status & { running: true }) | Awaited<ReturnType<typeof stoppedNode>>
  try {
    answer = { running: true, ...(await callNode(dir, 'GET', '/status')) }
  } catch (err) {
    if (!(err instanceof ControlClientError) || err.code !== 'no-node') throw err
    answer = await stoppedNode(dir, err)
  }
  output(values.json, answer, (s: typeof answer) =>
    s.running
      ? `peer id     ${s.peerId}\ntrader      ${s.trader}\niota        ${s.iotaAddress} (${s.settlement})\npeers       ${s.peers}\n` +
        `addresses   ${s.addrs.join(' ')}\n` +
        (s.journal == null ? '' : `journal     ${journalLine(s.journal)}\n`) +
        (s.meterStatus == null ? '' : `meter       ${meterLine(s.meterStatus)}\n`) +
        (s.mobility == null
          ? 'mobility    none (no mobility section in the config)\n'
          : `mobility    ${s.mobility.role}; ${s.mobility.services} service offers known ` +
            `(${s.mobility.vehicles} vehicles); timetable of ${s.mobility.timetable.stops} stops\n`)
      : `peer id     ${s.peerId}\ntrader      ${s.trader}\niota        ` +
        `${s.iotaAddress}\nnode        not running (read from its data directory)\n`
  )
  return 0
}
