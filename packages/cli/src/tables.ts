import type { JourneyView, LegView, PackageView, PlanView } from './journey-view.ts'

/** Human output of the journey and channel commands: short tables, amounts in IOTA, times on this machine's clock. */

/** Nanos as IOTA, exact: 400000000 → "0.4". */
export function iota(nanos: number): string {
  const sign = nanos < 0 ? '-' : ''
  const n = BigInt(Math.abs(nanos))
  const frac = (n % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '')
  return `${sign}${n / 1_000_000_000n}${frac !== '' ? `.${frac}` : ''}`
}

/** HH:MM on this machine's clock. */
export function clock(iso: string): string {
  const d = new Date(iso)
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

/** Columns padded to their widest cell; `right` lists the columns aligned right (numbers). */
export function table(header: string[], rows: string[][], right: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

const stop = (p: LegView['from']): string => p.stopId ?? `${p.lat.toFixed(4)},${p.lon.toFixed(4)}`

export function legSummary(l: LegView): string {
  if (l.mode === 'WALK') return `walk ${l.distance} m`
  if (l.tripId != null) return `${l.mode} ${l.routeId ?? ''} ${clock(l.departure)} ${stop(l.from)}→${stop(l.to)}`.replace(/\s+/g, ' ')
  return `${l.mode} ${clock(l.departure)} ${Math.round(l.distance / 100) / 10} km`
}

export function journeyRows(journeys: JourneyView[]): string {
  return table(
    ['#', 'depart', 'arrive', 'min', 'IOTA', 'CO2 g', 'transfers', 'walk m', 'legs', 'labels'],
    journeys.map(j => [
      String(j.number),
      clock(j.departure),
      clock(j.arrival),
      String(Math.round(j.durationS / 60)),
      iota(j.price),
      String(j.co2),
      String(j.transfers),
      String(j.walkingMetres),
      j.legs.map(legSummary).join(' › '),
      j.labels.join(', ')
    ]),
    [0, 3, 4, 5, 6, 7]
  )
}

export function planText(p: PlanView): string {
  const r = p.request
  const where =
    `from ${r.from.lat},${r.from.lon} to ${r.to.lat},${r.to.lon}, leaving after ` +
    `${clock(r.departAfter)}${r.arriveBy != null ? `, arriving by ${clock(r.arriveBy)}` : ''}`
  if (p.journeys.length === 0) return `no journey ${where}: try other --modes, more --max-walk, a later --depart or a later --arrive\n`
  return (
    `${p.journeys.length} journey${p.journeys.length === 1 ? '' : 's'} ` +
    `${where} (plan ${p.plan}; book one with --plan ${p.plan} --pick <#>)\n` +
    journeyRows(p.journeys)
  )
}

export interface BookingView {
  readonly package: string
  readonly status: string
  readonly total: number
  readonly paymentDigest?: string
  readonly reason?: string
  readonly legs: ReadonlyArray<{ legId: string; status: string; code?: string }>
  readonly journey: JourneyView
}

export function bookingText(b: BookingView): string {
  const head =
    b.status === 'CONFIRMED'
      ? `CONFIRMED  package ${b.package}  ${iota(b.total)} ` +
        `IOTA${b.paymentDigest != null && b.paymentDigest !== '' ? `  paid in ${b.paymentDigest}` : ''}`
      : `${b.status}  package ` +
        `${b.package}${b.reason != null ? `  reason ${b.reason}` : ''}${b.status === 'RELEASED' ? '  (nothing paid)' : ''}`
  const legs = b.legs.map(l => `  ${l.legId}  ${l.status}${l.code != null ? `  ${l.code}` : ''}`).join('\n')
  const times = `${clock(b.journey.departure)}–${clock(b.journey.arrival)}`
  return `${head}\n  ${times}  ${b.journey.legs.map(legSummary).join(' › ')}\n${legs}\n`
}

export function packagesText(list: PackageView[]): string {
  if (list.length === 0) return 'no packages booked on this node\n'
  return table(
    ['package', 'status', 'depart', 'arrive', 'IOTA', 'legs'],
    list.map(p => [
      p.package,
      p.status,
      clock(p.departure),
      clock(p.arrival),
      iota(p.total),
      p.legs.map(l => `${l.mode} ${l.fromStopId ?? ''}→${l.toStopId ?? ''} ${l.status}`.replace(/ → {1,2}/, ' ')).join(', ')
    ]),
    [4]
  )
}

export function cancelText(p: PackageView): string {
  const refund = p.legs.reduce((a, l) => a + (l.refund ?? 0), 0)
  const fee = p.legs.reduce((a, l) => a + (l.fee ?? 0), 0)
  return (
    `${p.status}  package ${p.package}  refund ${iota(refund)} IOTA, fee ${iota(fee)} IOTA\n` +
    p.legs
      .map(
        l =>
          `  ${l.legId}  ${l.mode}  ` +
          `${l.status}${l.refundDigest != null ? `  refunded in ${l.refundDigest}` : ''}${l.code != null ? `  ${l.code}` : ''}`
      )
      .join('\n') +
    '\n'
  )
}
