// The journeys panel: travellers' journeys as they are booked, ridden and completed (or walked, refused or
// cancelled), per slot and by mode, against driving alone; and the vehicles' places that map.js draws.
import { $, axisX, charts, drawers, grid, iota, localTime, nameOf, setValue, st, touch } from './page.js'

const modeNames = {
  BICYCLE: 'bike',
  SCOOTER: 'scooter',
  CAR: 'car',
  BUS: 'bus',
  TRAM: 'tram',
  METRO: 'metro',
  RAIL: 'rail',
  FERRY: 'ferry'
}
const modeOrder = Object.keys(modeNames)
const modeName = m => modeNames[m] ?? m.toLowerCase()
const statusText = {
  booked: 'booked',
  'on-the-way': 'on the way',
  completed: 'completed',
  cancelled: 'cancelled',
  walked: 'walked',
  refused: 'refused'
}
const legText = { planned: '', riding: ' riding', done: ' ✓' }
const minutes = s => Math.round(s / 6) / 10
/** rows the list keeps (the server sends changes to the latest 300 only) */
const maxRows = 300

/** A batch's mobility part (with `reset`, all of it: a new or lagging page). */
export function applyMobility(m, reset) {
  if (st.mobility == null) {
    st.mobility = { figures: null, slots: [], rows: new Map(), vehicles: new Map(), results: null }
    for (const el of document.querySelectorAll('.mobility')) el.hidden = false
    // created while hidden, the charts have no size yet
    for (const id of ['journeys', 'modes', 'versus']) charts[id].resize()
  }
  const mob = st.mobility
  if (reset) {
    mob.rows.clear()
    $('journeys').replaceChildren()
  }
  mob.figures = m.figures
  for (const [slot, booked, walked, failed] of m.slots) mob.slots[slot] = [booked, walked, failed]
  for (const r of m.journeys) row(r)
  for (const v of m.vehicles) mob.vehicles.set(v.node, v)
  counters(m.figures)
  if (mob.results != null) compare()
  touch('journeys', 'modes', 'versus')
  if (m.vehicles.length > 0 || reset) touch('map')
}

function counters(f) {
  const p = f.perJourney
  const reasons = Object.entries(f.failedBy)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
  setValue('j-requested', f.requested, String(f.requested))
  setValue('j-booked', f.booked, String(f.booked))
  setValue('j-walked', f.walked, String(f.walked))
  setValue('j-failed', f.failed, reasons === '' ? String(f.failed) : `${f.failed} (${reasons})`)
  setValue('j-on-the-way', f.now.onTheWay, `${f.now.onTheWay} on the way, ${f.now.booked} yet to start`)
  setValue('j-completed', f.now.completed, `${f.now.completed}${f.now.cancelled > 0 ? `, ${f.now.cancelled} cancelled` : ''}`)
  setValue('j-rides', f.ridesEnded, `${f.ridesEnded} ended, ${f.receiptsSigned} receipts signed`)
  $('j-rides').dataset.receipts = String(f.receiptsSigned)
  const byMode = modesOf(f.bookedByMode)
  $('j-by-mode').dataset.value = JSON.stringify(f.bookedByMode)
  $('j-by-mode').textContent = byMode.length === 0 ? '–' : byMode.map(m => `${modeName(m)} ${f.bookedByMode[m]}`).join(', ')
  setValue('j-door', p.doorToDoorS, f.booked === 0 ? '–' : `${minutes(p.doorToDoorS)} min`)
  setValue('j-price', p.plannedPriceNanos, f.booked === 0 ? '–' : `${iota(p.plannedPriceNanos).toFixed(3)} IOTA`)
  setValue('j-co2', p.co2G, f.booked === 0 ? '–' : `${p.co2G} g CO₂`)
  const car = p.driveAlone
  setValue(
    'j-car',
    car.doorToDoorS,
    f.booked === 0 ? '–' : `${minutes(car.doorToDoorS)} min, ${iota(car.priceNanos).toFixed(3)} IOTA, ${car.co2G} g CO₂`
  )
}

/** The modes of a count, in a fixed order (shared vehicles, then transit), then any other. */
function modesOf(counts) {
  const ms = Object.keys(counts)
  return [...modeOrder.filter(m => ms.includes(m)), ...ms.filter(m => !modeOrder.includes(m)).sort()]
}

function row(r) {
  const mob = st.mobility
  const list = $('journeys')
  let li = mob.rows.get(r.id)
  if (li == null) {
    li = document.createElement('li')
    li.dataset.id = String(r.id)
    mob.rows.set(r.id, li)
    list.prepend(li)
    while (list.children.length > maxRows) {
      const last = list.lastElementChild
      mob.rows.delete(Number(last.dataset.id))
      last.remove()
    }
  }
  li.dataset.status = r.status
  li.dataset.nodes = [r.node, ...r.legs.map(l => l.vehicle).filter(v => v != null)].join(',')
  const span = (cls, text) => {
    const s = document.createElement('span')
    s.className = cls
    s.textContent = text
    return s
  }
  const parts = [span('who', `${localTime(r.at)} ${nameOf(r.node)}`), span(`status ${r.status}`, statusText[r.status] ?? r.status)]
  if (r.reason != null) parts.push(span('reason', r.reason))
  for (const l of r.legs)
    parts.push(span(`leg ${l.state}`, `${modeName(l.mode)}${l.vehicle != null ? ` ${nameOf(l.vehicle)}` : ''}${legText[l.state]}`))
  if (r.legs.length === 0 && r.status === 'walked') parts.push(span('leg', 'on foot'))
  if (r.doorToDoorS != null)
    parts.push(
      span(
        'figures',
        `${minutes(r.doorToDoorS)} min, ${iota(r.priceNanos).toFixed(2)} IOTA, ${r.co2G} g ` +
          `(car ${minutes(r.baseline.seconds)} min, ${iota(r.baseline.priceNanos).toFixed(2)} IOTA, ${r.baseline.co2G} g)`
      )
    )
  li.replaceChildren(...parts)
  li.hidden = st.filter != null && !li.dataset.nodes.split(',').includes(String(st.filter))
}

/** The node filter: only journeys of that building, or ridden on that vehicle. */
export function filterJourneys() {
  for (const li of $('journeys').children) li.hidden = st.filter != null && !li.dataset.nodes.split(',').includes(String(st.filter))
}

/** results.json's mobility figures, once the run has ended: shown beside the live ones, and compared. */
export function doneMobility(r) {
  if (r == null || st.mobility == null) return
  st.mobility.results = r
  const j = r.journeys
  const p = r.perJourney
  $('journeys-final').hidden = false
  $('journeys-results').textContent =
    `${j.requested} requested: ${j.booked} booked, ${j.walked} walked, ${j.failed} failed; per booked journey ` +
    `${minutes(p.doorToDoorS)} min, ${iota(p.plannedPriceNanos).toFixed(3)} IOTA planned (${iota(p.paidNanos).toFixed(3)} paid), ` +
    `${p.co2G} g CO₂; ${r.rides.ended} rides ended.`
  compare()
}

function compare() {
  const r = st.mobility.results
  const f = st.mobility.figures
  const canonical = x =>
    JSON.stringify(x, (_k, v) =>
      v != null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v
    )
  const { paidNanos: _paid, ...perJourney } = r.perJourney
  const { tripsPerDay: _trips, ...journeys } = r.journeys
  const same =
    f != null &&
    canonical({ journeys, perJourney, rides: r.rides.ended, receipts: r.receiptsSigned }) ===
      canonical({
        journeys: {
          requested: f.requested,
          booked: f.booked,
          walked: f.walked,
          failed: f.failed,
          failedBy: f.failedBy,
          bookedByMode: f.bookedByMode
        },
        perJourney: f.perJourney,
        rides: f.ridesEnded,
        receipts: f.receiptsSigned
      })
  $('journeys-check').textContent = same ? 'The live figures above equal them.' : 'The live figures above DIFFER from them.'
  $('journeys-check').dataset.same = String(same)
}

Object.assign(drawers, {
  journeys() {
    const mob = st.mobility
    if (mob == null) return
    const at = k => st.layout.slots.labels.map((_, i) => mob.slots[i]?.[k] ?? 0)
    charts.journeys.setOption({
      animation: false,
      grid,
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: axisX(),
      yAxis: { type: 'value', name: 'journeys', minInterval: 1 },
      series: [
        { name: 'booked', type: 'bar', stack: 'j', data: at(0), itemStyle: { color: '#2e86c1' } },
        { name: 'walked', type: 'bar', stack: 'j', data: at(1), itemStyle: { color: '#a9cce3' } },
        { name: 'refused or failed', type: 'bar', stack: 'j', data: at(2), itemStyle: { color: '#c0392b' } }
      ]
    })
  },
  modes() {
    const f = st.mobility?.figures
    if (f == null) return
    const ms = modesOf(f.byMode)
    const part = k => ms.map(m => f.byMode[m][k])
    charts.modes.setOption(
      {
        animation: false,
        grid: { ...grid, left: 70 },
        legend: { top: 0 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'value', name: 'booked journeys', nameLocation: 'middle', nameGap: 24, minInterval: 1 },
        yAxis: { type: 'category', data: ms.map(modeName), inverse: true },
        series: [
          { name: 'yet to start', type: 'bar', stack: 'm', data: part(0), itemStyle: { color: '#a9cce3' } },
          { name: 'on the way', type: 'bar', stack: 'm', data: part(1), itemStyle: { color: '#e67e22' } },
          { name: 'completed', type: 'bar', stack: 'm', data: part(2), itemStyle: { color: '#3a7d44' } },
          { name: 'cancelled', type: 'bar', stack: 'm', data: part(3), itemStyle: { color: '#7f8c8d' } }
        ]
      },
      true
    )
  },
  versus() {
    const f = st.mobility?.figures
    if (f == null) return
    const p = f.perJourney
    const parts = [
      ['door to door, min', minutes(p.doorToDoorS), minutes(p.driveAlone.doorToDoorS)],
      ['price, IOTA', iota(p.plannedPriceNanos), iota(p.driveAlone.priceNanos)],
      ['CO₂, g', p.co2G, p.driveAlone.co2G]
    ]
    const bar = (name, k, v, color) => ({ name, type: 'bar', xAxisIndex: k, yAxisIndex: k, data: [v], itemStyle: { color } })
    charts.versus.setOption(
      {
        animation: false,
        legend: { top: 0, data: ['booked journeys (mean)', 'the same trips driven alone'] },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: parts.map((_, k) => ({ left: `${6 + k * 33}%`, width: '24%', top: 40, bottom: 30 })),
        xAxis: parts.map((x, k) => ({ gridIndex: k, type: 'category', data: [x[0]], axisLabel: { fontSize: 10 } })),
        yAxis: parts.map((_, k) => ({ gridIndex: k, type: 'value', min: 0 })),
        series: parts.flatMap((x, k) => [
          bar('booked journeys (mean)', k, x[1], '#2e86c1'),
          bar('the same trips driven alone', k, x[2], '#7f8c8d')
        ])
      },
      true
    )
  }
})
