// What the dashboard's modules share: the page's state, its ECharts instances, formatting, and drawing at most once a frame.
/* global echarts */
export const $ = id => document.getElementById(id)
export const kwh = wh => Math.round(wh) / 1000
export const iota = nanos => Math.round(nanos / 1e3) / 1e6
export const perKwh = nanos => Math.round(nanos / 1e5) / 1e4
export const palette = ['#3a7d44', '#2e86c1', '#8e44ad', '#d35400', '#16a085', '#c0392b', '#7f8c8d', '#f1c40f']

export const st = {
  layout: null,
  slots: [],
  counts: [],
  edges: new Set(),
  /** negotiation steps between two nodes, by 'a-b' */
  linkSteps: new Map(),
  chains: new Map(),
  filter: null,
  bookSlot: null,
  bookFollows: true,
  book: null,
  closed: 0,
  dirty: new Set(),
  batches: 0,
  /** status messages heard (the server repeats them while the clock stands still) */
  statuses: 0,
  /** journeys and vehicles' places (a district with mobility; journeys.js), else null */
  mobility: null,
  /** called after each batch is applied (tests, a researcher's console) */
  afterTick: null,
  send: null,
  /** draws what changed now, not at the next frame (tests that look at every batch's picture) */
  drawNow: null
}

/** chart id → draw function; each module adds its own */
export const drawers = {}
export const charts = {}
export function initCharts(ids) {
  for (const id of ids) charts[id] = echarts.init($(`chart-${id}`), null, { renderer: 'canvas' })
}

export function setValue(id, value, text) {
  $(id).dataset.value = String(value)
  $(id).textContent = text
}
export function nameOf(i) {
  return st.layout?.nodes[i]?.name ?? `#${i}`
}
/** The simulated instant in the site's local time, `HH:MM` (with the date when asked) */
export function localTime(at, withDate = false) {
  const iso = new Date(at + (st.layout?.utcOffsetHours ?? 0) * 3_600_000).toISOString()
  return withDate ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16)
}

// charts are drawn at most once a frame, whatever the batch rate
export function touch(...ids) {
  for (const id of ids) st.dirty.add(id)
  requestAnimationFrame(draw)
}
export function draw() {
  if (st.layout == null) return
  const ids = [...st.dirty]
  st.dirty.clear()
  for (const id of ids) drawers[id]?.()
}
st.drawNow = draw

export const axisX = () => ({ type: 'category', data: st.layout.slots.labels, axisLabel: { fontSize: 10 } })
export const grid = { left: 60, right: 20, top: 36, bottom: 40 }
