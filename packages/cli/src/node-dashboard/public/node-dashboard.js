// `kvartal dashboard`'s page: one WebSocket carrying the node's state, its /view snapshots and its events; ECharts for the charts.
/* global echarts */
const $ = id => document.getElementById(id)
const kwh = wh => Math.round(wh) / 1000
const perKwh = nanos => Math.round(nanos / 1e5) / 1e4
const short = hex => (hex == null ? '?' : hex.slice(0, 8))
/** the steps of a negotiation the timeline shows, and their labels */
const steps = {
  'proposal-sent': 'propose',
  'proposal-received': 'proposal',
  countered: 'counter',
  accepted: 'accept',
  rejected: 'reject',
  'reservation-released': 'released',
  'trade-committed': 'commit',
  'negotiation-failed': 'failed',
  'negotiation-ended': 'ended'
}

const st = {
  node: null,
  view: null,
  boot: null,
  events: 0,
  /** timeline rows by negotiation (16 hex) */
  rows: new Map(),
  bookSlot: null,
  bookFollows: true
}
// for tests and an operator's console
window.kvartalNodeDashboard = st
const charts = {}
for (const id of ['trades', 'positions', 'book']) charts[id] = echarts.init($(`chart-${id}`), null, { renderer: 'canvas' })
window.addEventListener('resize', () => {
  for (const c of Object.values(charts)) c.resize()
})
$('book-slot').onchange = () => {
  st.bookFollows = false
  st.bookSlot = Number($('book-slot').value)
  drawBook()
}

function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws`)
  ws.onmessage = ev => {
    const m = JSON.parse(ev.data)
    if (m.type === 'node') nodeState(m)
    else if (m.type === 'view') view(m.view)
    else if (m.type === 'events') events(m)
  }
  // the dashboard itself stopped (Ctrl-C): say so, and try again, as it does with the node
  ws.onclose = () => {
    setState('disconnected', 'the dashboard process does not answer')
    setTimeout(connect, 2000)
  }
}
connect()

function setValue(id, value, text) {
  $(id).dataset.value = String(value)
  $(id).textContent = text
}
function setState(state, why) {
  $('node-state').dataset.state = state
  $('node-state').textContent = state === 'live' ? 'live' : state === 'down' ? 'node stopped' : state
  $('down').hidden = state === 'live' || state === 'connecting'
  $('down-why').textContent = why ?? ''
}

function nodeState(m) {
  st.node = m
  setState(m.state, m.why)
}

function view(v) {
  st.view = v
  $('node-name').textContent = `${v.node.peerId} (${short(v.node.trader)})`
  $('where').textContent = `${v.node.district} / ${v.node.feeder ?? 'one feeder'}${v.node.relay ? ' (relay)' : ''}`
  setValue('peers', v.peers.count, String(v.peers.count))
  const trades = v.trades.reduce((a, t) => a + t.trades, 0)
  const wh = v.trades.reduce((a, t) => a + t.energyWh, 0)
  setValue('trades-day', trades, String(trades))
  setValue('energy-day', wh, `${kwh(wh)} kWh`)
  const n = v.negotiations
  $('negotiations').dataset.value = JSON.stringify(n)
  $('negotiations').textContent =
    Object.entries(n)
      .filter(([, k]) => k > 0)
      .map(([o, k]) => `${k} ${o}`)
      .join(', ') || 'none yet'
  const s = v.settlement
  setValue('last-settled', s.lastSettledPeriod, s.lastSettledPeriod < 0 ? 'none yet' : `period ${s.lastSettledPeriod}`)
  setValue('pending-trades', s.pendingTrades, String(s.pendingTrades))
  const m = v.meter
  $('meter').dataset.gaps = String(m.gaps)
  $('meter').textContent = m.kind === 'none' ? `none: ${m.gaps} slots as gaps` : `${m.kind}: ${m.readings} readings, ${m.gaps} gaps`
  $('view-at').textContent = v.at.slice(11, 19)
  tradesTable(v)
  settlement(v)
  peers(v)
  const open = v.openSlots.map(o => o.slot)
  if (st.bookFollows || !open.includes(st.bookSlot)) st.bookSlot = open[0] ?? null
  $('book-slot').replaceChildren(
    ...open.map(s => {
      const o = document.createElement('option')
      o.value = String(s)
      o.textContent = `slot ${s} (${slotLabel(v.openSlots.find(x => x.slot === s).startsAt)})`
      o.selected = s === st.bookSlot
      return o
    })
  )
  drawTrades()
  drawPositions()
  drawBook()
}

function cell(value, text) {
  const td = document.createElement('td')
  td.dataset.value = String(value)
  td.textContent = text ?? String(value)
  return td
}

function tradesTable(v) {
  const rows = [...v.trades].reverse().map(t => {
    const tr = document.createElement('tr')
    tr.dataset.slot = String(t.slot)
    for (const [k, value, text] of [
      ['slot', t.slot],
      ['starts', t.startsAt, t.startsAt.slice(11, 19)],
      ['trades', t.trades],
      ['energyWh', t.energyWh],
      ['averagePrice', t.averagePrice],
      ['boughtWh', t.bought.energyWh],
      ['soldWh', t.sold.energyWh],
      ['localWh', t.local.energyWh],
      ['crossFeederWh', t.crossFeeder.energyWh],
      ['pending', t.pending]
    ]) {
      const td = cell(value, text)
      td.dataset.k = k
      tr.append(td)
    }
    return tr
  })
  $('trades-table').tBodies[0].replaceChildren(...rows)
}

function settlement(v) {
  const s = v.settlement
  const l = s.lastSettled
  const items = [
    ['period', `${s.periodSlots} slots`],
    [
      'last settled',
      s.lastSettledPeriod < 0
        ? 'none yet'
        : `period ${s.lastSettledPeriod}` +
          (l != null ? `: ${l.trades} trades, ${l.readings} readings, paid ${l.paid} nanos, root ${String(l.root).slice(0, 16)}…` : '')
    ],
    ['settled since start', String(s.periodsSettled)],
    ['trades to settle', String(s.pendingTrades)],
    ['retrying', s.retryingPeriods.length === 0 ? 'none' : s.retryingPeriods.join(', ')],
    ['last failure', s.lastFailure == null ? 'none' : `${s.lastFailure.period}: ${s.lastFailure.code} ${s.lastFailure.detail}`],
    ['meter gaps', `${v.meter.gaps}${v.meter.lastGap != null ? ` (last: slot ${v.meter.lastGap.slot}, ${v.meter.lastGap.why})` : ''}`],
    ['last reading', v.meter.lastReadingAt ?? 'none since the node started']
  ]
  $('settlement').replaceChildren(
    ...items.flatMap(([k, text]) => {
      const dt = document.createElement('dt')
      dt.textContent = k
      const dd = document.createElement('dd')
      dd.textContent = text
      return [dt, dd]
    })
  )
}

function peers(v) {
  const lis = v.peers.list.map(p => {
    const li = document.createElement('li')
    li.textContent = `${p.peerId}${p.trader != null ? ` (trader ${short(p.trader)})` : ''}`
    return li
  })
  if (v.peers.count > v.peers.list.length) {
    const li = document.createElement('li')
    li.textContent = `and ${v.peers.count - v.peers.list.length} more`
    lis.push(li)
  }
  $('peers-list').replaceChildren(...lis)
}

const slotLabel = iso => iso.slice(11, 19)

function drawTrades() {
  const t = st.view.trades
  charts.trades.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['local kWh', 'across feeders kWh', 'mean price'] },
      grid: { left: 50, right: 60, top: 50, bottom: 30 },
      xAxis: { type: 'category', data: t.map(x => slotLabel(x.startsAt)) },
      yAxis: [
        { type: 'value', name: 'kWh' },
        { type: 'value', name: 'IOTA/kWh', position: 'right' }
      ],
      series: [
        { name: 'local kWh', type: 'bar', stack: 'e', data: t.map(x => kwh(x.local.energyWh)), itemStyle: { color: '#3a7d44' } },
        {
          name: 'across feeders kWh',
          type: 'bar',
          stack: 'e',
          data: t.map(x => kwh(x.crossFeeder.energyWh)),
          itemStyle: { color: '#2e86c1' }
        },
        { name: 'mean price', type: 'line', yAxisIndex: 1, data: t.map(x => perKwh(x.averagePrice)), itemStyle: { color: '#d35400' } }
      ]
    },
    true
  )
}

function drawPositions() {
  const o = st.view.openSlots
  const bar = (name, stack, f, color) => ({ name, type: 'bar', stack, data: o.map(s => kwh(f(s))), itemStyle: { color } })
  charts.positions.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['to sell', 'sell held', 'sold', 'needed', 'buy held', 'bought'] },
      grid: { left: 50, right: 20, top: 50, bottom: 30 },
      xAxis: { type: 'category', data: o.map(s => slotLabel(s.startsAt)) },
      yAxis: { type: 'value', name: 'kWh' },
      series: [
        bar('to sell', 'sell', s => s.selling.availableWh, '#9bd3a5'),
        bar('sell held', 'sell', s => s.selling.heldWh, '#f1c40f'),
        bar('sold', 'sell', s => s.selling.committedWh, '#3a7d44'),
        bar('needed', 'buy', s => s.need.availableWh, '#f5b7b1'),
        bar('buy held', 'buy', s => s.need.heldWh, '#e6a23c'),
        bar('bought', 'buy', s => s.need.committedWh, '#c0392b')
      ]
    },
    true
  )
}

function drawBook() {
  const slot = st.view?.openSlots.find(s => s.slot === st.bookSlot)
  const offers = slot?.book.offers ?? []
  const bids = slot?.book.bids ?? []
  const prices = [...new Set([...offers, ...bids].map(l => l.price))].sort((a, b) => a - b)
  const at = (levels, f) =>
    prices.map(p => {
      const l = levels.find(x => x.price === p)
      return l == null ? 0 : kwh(f(l))
    })
  // a level's energy split by how it was heard, pro rata to its orders
  const relayedShare = l => (l.orders === 0 ? 0 : Math.round((l.energyWh * l.relayed) / l.orders))
  charts.book.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['offers', 'offers relayed', 'bids', 'bids relayed'] },
      grid: { left: 50, right: 20, top: 50, bottom: 40 },
      xAxis: { type: 'category', name: 'IOTA/kWh', nameLocation: 'middle', nameGap: 25, data: prices.map(perKwh) },
      yAxis: { type: 'value', name: 'kWh' },
      series: [
        { name: 'offers', type: 'bar', stack: 'o', data: at(offers, l => l.energyWh - relayedShare(l)), itemStyle: { color: '#3a7d44' } },
        { name: 'offers relayed', type: 'bar', stack: 'o', data: at(offers, relayedShare), itemStyle: { color: '#9bd3a5' } },
        { name: 'bids', type: 'bar', stack: 'b', data: at(bids, l => l.energyWh - relayedShare(l)), itemStyle: { color: '#c0392b' } },
        { name: 'bids relayed', type: 'bar', stack: 'b', data: at(bids, relayedShare), itemStyle: { color: '#f5b7b1' } }
      ]
    },
    true
  )
}

/** The negotiation an event belongs to: its step id names it (`<node>:<negotiation 16 hex>:<step>`), else its correlation. */
function negotiationOf(e) {
  const parts = (e.id ?? '').split(':')
  return parts.length === 3 ? parts[1] : (e.correlation ?? '').slice(0, 16)
}

function events(m) {
  if (m.reset || m.boot !== st.boot) {
    st.boot = m.boot
    st.rows.clear()
    $('timeline').replaceChildren()
  }
  st.events += m.events.length
  for (const { event: e } of m.events) if (steps[e.type] != null) addStep(e)
}

function addStep(e) {
  const key = negotiationOf(e)
  let row = st.rows.get(key)
  if (row == null) {
    const li = document.createElement('li')
    li.dataset.negotiation = key
    li.dataset.slot = String(e.slot ?? '')
    const head = document.createElement('span')
    head.textContent =
      `slot ${e.slot ?? '?'} · ` +
      `${['proposal-received', 'accepted', 'countered'].includes(e.type) ? 'selling to' : 'buying from'} ${short(e.peer)} · `
    li.append(head)
    row = { li }
    st.rows.set(key, row)
    $('timeline').prepend(li)
    // the newest 200 negotiations
    while (st.rows.size > 200) {
      const [k, r] = st.rows.entries().next().value
      r.li.remove()
      st.rows.delete(k)
    }
  }
  // a proposal after a counter: the seller's counter, which the buyer hears as its next round
  if (e.type === 'proposal-sent' && String(e.parent ?? '').includes(':countered.')) row.li.append(step('countered', 'counter', e))
  const label = e.type === 'negotiation-ended' ? `ended: ${e.outcome}` : steps[e.type]
  row.li.append(step(e.type, label, e))
  row.li.dataset.last = e.type
}

function step(type, label, e) {
  const s = document.createElement('span')
  s.className = `step ${type}`
  const money = e.price != null ? ` @ ${perKwh(e.price)}` : ''
  const wh = e.energyWh != null && type !== 'countered' ? ` ${e.energyWh} Wh` : ''
  s.textContent = `${label}${wh}${type !== 'countered' ? money : ''}${e.code != null ? ` (${e.code})` : ''}`
  s.title = new Date(e.at).toISOString()
  return s
}
