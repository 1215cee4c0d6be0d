// The live dashboard's page: one WebSocket, one batch per simulated tick, ECharts for every chart.
/* global echarts */
const $ = id => document.getElementById(id)
const kwh = wh => Math.round(wh) / 1000
const iota = nanos => Math.round(nanos / 1e3) / 1e6
const perKwh = nanos => Math.round(nanos / 1e5) / 1e4
const palette = ['#3a7d44', '#2e86c1', '#8e44ad', '#d35400', '#16a085', '#c0392b', '#7f8c8d', '#f1c40f']

const st = {
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
  /** called after each batch is applied (tests, a researcher's console) */
  afterTick: null,
  send: null
}
const charts = {}
for (const id of ['map', 'mesh', 'energy', 'welfare', 'prices', 'book', 'messages'])
  charts[id] = echarts.init($(`chart-${id}`), null, { renderer: 'canvas' })
window.addEventListener('resize', () => {
  for (const c of Object.values(charts)) c.resize()
})
// for tests and for a researcher's console
window.kvartalDashboard = st

const ws = new WebSocket(`ws://${location.host}/ws`)
const sendMsg = m => {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m))
}
st.send = sendMsg
ws.onmessage = ev => {
  const m = JSON.parse(ev.data)
  if (m.type === 'hello') hello(m.layout)
  else if (m.type === 'tick') tick(m)
  else if (m.type === 'status') status(m)
  else if (m.type === 'book') {
    st.book = m
    touch('book')
  } else if (m.type === 'done') done(m.results)
}
ws.onclose = () => {
  if ($('status').dataset.state !== 'done') setStatus('disconnected')
}
$('pause').onclick = () => sendMsg({ type: 'pause' })
$('resume').onclick = () => sendMsg({ type: 'resume' })
$('step').onclick = () => sendMsg({ type: 'step' })
$('filter').onchange = () => {
  st.filter = $('filter').value === '' ? null : Number($('filter').value)
  sendMsg({ type: 'filter', node: st.filter })
  applyFilter()
  touch('map', 'mesh', 'messages')
}
$('book-slot').onchange = () => {
  st.bookFollows = false
  askBook(Number($('book-slot').value))
}

/** The simulated instant in the site's local time, `HH:MM` (with the date when asked) */
function localTime(at, withDate = false) {
  const iso = new Date(at + (st.layout?.utcOffsetHours ?? 0) * 3_600_000).toISOString()
  return withDate ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16)
}
function setStatus(s) {
  $('status').textContent = s
  $('status').dataset.state = s
}
function setValue(id, value, text) {
  $(id).dataset.value = String(value)
  $(id).textContent = text
}
function nameOf(i) {
  return st.layout?.nodes[i]?.name ?? `#${i}`
}
function askBook(slot) {
  st.bookSlot = slot
  $('book-slot').value = String(slot)
  sendMsg({ type: 'book', slot })
}

function hello(layout) {
  st.layout = layout
  st.slots = layout.slots.labels.map((_, slot) => ({ slot, trades: 0, localEnergyWh: 0, welfareNanos: 0, proposals: 0 }))
  st.counts = layout.nodes.map(() => [0, 0, 0])
  $('title').textContent =
    `Kvartal simulation: ${layout.district}, ${layout.date} — ${layout.nodes.filter(n => n.building).length} ` +
    `buildings, ${layout.nodes.filter(n => !n.building).length} vehicles and operators, ${layout.slots.count} slots`
  const sel = $('filter')
  sel.length = 1
  layout.nodes.forEach((n, i) => {
    sel.add(new Option(`${n.name} (${n.kind}${n.feeder != null ? `, ${n.feeder}` : ''})`, String(i)))
  })
  const bs = $('book-slot')
  bs.length = 0
  layout.slots.labels.forEach((l, i) => {
    bs.add(new Option(`slot ${l}`, String(i)))
  })
  askBook(0)
  touch('map', 'mesh', 'energy', 'welfare', 'prices', 'messages')
}

function tick(b) {
  st.batches++
  // everything at once (a late or lagging page): the mesh and the timeline start over
  if (b.reset) {
    st.edges.clear()
    st.chains.clear()
    $('timeline').replaceChildren()
  }
  for (const s of b.slots) st.slots[s.slot] = s
  for (const [i, pub, recv, neg] of b.nodes) st.counts[i] = [pub, recv, neg]
  for (const [x, y] of b.edges.add) st.edges.add(`${x}-${y}`)
  for (const [x, y] of b.edges.del) st.edges.delete(`${x}-${y}`)
  for (const [x, y, n] of b.links) st.linkSteps.set(`${x}-${y}`, n)
  for (const step of b.steps) addStep(step)
  st.closed = b.closed
  setValue('tick', b.tick, `${b.tick} / ${b.total}`)
  setValue('slots-closed', b.closed, `${b.closed} / ${st.layout?.slots.count ?? '?'}`)
  setValue('trades', b.totals.trades, String(b.totals.trades))
  setValue(
    'local-wh',
    b.totals.localEnergyWh,
    `${kwh(b.totals.localEnergyWh).toFixed(1)} kWh of ${kwh(st.layout?.optimum.physicalMaxWh ?? 0).toFixed(1)}`
  )
  setValue(
    'welfare-nanos',
    b.totals.welfareNanos,
    `${iota(b.totals.welfareNanos).toFixed(3)} IOTA of ${iota(st.layout?.optimum.optimumWelfareNanos ?? 0).toFixed(3)}`
  )
  $('dropped').dataset.sampledOut = String(b.sampledOut)
  $('dropped').textContent = `${b.sampledOut} / ${$('dropped').dataset.batches ?? 0}`
  $('sim-time').textContent = `${localTime(b.at, true)} local`
  // the depth chart follows the slot being traded unless a slot was picked
  if (st.bookFollows && st.layout != null && b.closed < st.layout.slots.count && b.closed !== st.bookSlot) askBook(b.closed)
  touch('energy', 'welfare', 'prices', 'messages', 'book')
  if (b.edges.add.length + b.edges.del.length + b.links.length > 0 || b.reset) touch('mesh')
  st.afterTick?.(b)
}

function status(m) {
  st.statuses++
  setStatus(m.state)
  $('dropped').dataset.batches = String(m.droppedBatches)
  $('dropped').textContent = `${$('dropped').dataset.sampledOut ?? 0} / ${m.droppedBatches}`
  // the clock's own position, also while paused
  if (m.tick != null && st.layout != null) {
    $('tick').dataset.server = String(m.tick)
  }
}

function done(r) {
  $('final').hidden = false
  setValue('final-trades', r.trades, String(r.trades))
  setValue('final-local-wh', r.localEnergyWh, `${kwh(r.localEnergyWh).toFixed(1)} kWh`)
  setValue('final-welfare-nanos', r.welfareNanos, `${iota(r.welfareNanos).toFixed(3)} IOTA`)
  $('final-shares').textContent =
    `${(r.localShare * 100).toFixed(1)} % of the physical maximum, ${(r.welfareShare * 100).toFixed(1)} % of the optimum's welfare`
  const same =
    Number($('trades').dataset.value) === r.trades &&
    Number($('local-wh').dataset.value) === r.localEnergyWh &&
    Number($('welfare-nanos').dataset.value) === r.welfareNanos
  $('final-check').textContent = same ? 'The live figures above equal them.' : 'The live figures above DIFFER from them.'
  $('final-check').dataset.same = String(same)
}

// negotiations: one row per negotiation, its steps appended as they come
function addStep(s) {
  let c = st.chains.get(s.chain)
  if (c == null) {
    // a negotiation opens with the buyer's proposal; one whose start the page missed names its two peers only
    const opened = s.type === 'proposal-sent'
    const li = document.createElement('li')
    li.dataset.nodes = `${s.node},${s.peer}`
    const label = st.layout?.slots.labels[s.slot] ?? s.slot
    li.innerHTML = '<span class="who"></span> '
    li.firstChild.textContent = `${localTime(s.at)} slot ${label}: ${nameOf(s.node)} ${opened ? '→' : '↔'} ${nameOf(s.peer)}`
    c = { li, steps: 0 }
    st.chains.set(s.chain, c)
    const list = $('timeline')
    list.prepend(li)
    if (st.filter != null && !li.dataset.nodes.split(',').includes(String(st.filter))) li.hidden = true
    // a bounded list: the oldest rows go
    while (list.children.length > 300) {
      const last = list.lastElementChild
      st.chains.forEach((v, k) => {
        if (v.li === last) st.chains.delete(k)
      })
      last.remove()
    }
  }
  const span = document.createElement('span')
  span.className = `step ${s.type}`
  const price = s.price != null ? ` @${perKwh(s.price)}` : ''
  const wh = s.energyWh != null ? ` ${kwh(s.energyWh)} kWh` : ''
  const type = s.type.replace('proposal-', 'proposal ').replace('trade-committed', 'commit')
  span.textContent = `${type}${s.side != null ? ` (${s.side})` : ''}${wh}${price}${s.code != null ? ` ${s.code}` : ''}`
  c.li.appendChild(span)
  c.steps++
}

function applyFilter() {
  for (const li of $('timeline').children) li.hidden = st.filter != null && !li.dataset.nodes.split(',').includes(String(st.filter))
  $('timeline-note').textContent =
    st.filter == null ? '' : `only ${nameOf(st.filter)}'s negotiations (followed from now on, whatever the sample)`
}

// charts are drawn at most once a frame, whatever the batch rate
function touch(...ids) {
  for (const id of ids) st.dirty.add(id)
  requestAnimationFrame(draw)
}
function draw() {
  if (st.layout == null) return
  const ids = [...st.dirty]
  st.dirty.clear()
  for (const id of ids) drawers[id]?.()
}

const axisX = () => ({ type: 'category', data: st.layout.slots.labels, axisLabel: { fontSize: 10 } })
const grid = { left: 60, right: 20, top: 36, bottom: 40 }
const drawers = {
  map() {
    const l = st.layout
    const feeders = [...new Set(l.nodes.filter(n => n.building).map(n => n.feeder ?? 'district'))]
    const labels = l.nodes.length <= 40
    const point = (n, i) => ({
      name: n.name,
      value: [n.x, n.y],
      itemStyle: n.relay ? { borderColor: '#000', borderWidth: 2 } : undefined,
      symbolSize: st.filter === i ? 18 : 10
    })
    charts.map.setOption(
      {
        animation: false,
        grid: { ...grid, right: 90 },
        tooltip: { formatter: p => p.name },
        legend: { top: 0, type: 'scroll' },
        xAxis: { type: 'value', name: 'm east', nameLocation: 'middle', nameGap: 24, scale: true, axisLine: { onZero: false } },
        yAxis: { type: 'value', name: 'm north', nameLocation: 'middle', nameGap: 40, scale: true, axisLine: { onZero: false } },
        series: [
          ...feeders.map((f, k) => ({
            name: f,
            type: 'scatter',
            data: l.nodes
              .map((n, i) => [n, i])
              .filter(([n]) => n.building && (n.feeder ?? 'district') === f)
              .map(([n, i]) => point(n, i)),
            itemStyle: { color: palette[k % palette.length] },
            label: { show: labels, position: 'right', formatter: '{b}', fontSize: 10 }
          })),
          {
            name: 'vehicles',
            type: 'scatter',
            symbol: 'triangle',
            data: l.nodes
              .map((n, i) => [n, i])
              .filter(([n]) => !n.building && n.x != null)
              .map(([n, i]) => point(n, i)),
            itemStyle: { color: '#e67e22' },
            label: { show: labels, position: 'right', formatter: '{b}', fontSize: 9 }
          },
          {
            name: 'stops',
            type: 'scatter',
            symbolSize: 4,
            data: l.stops.map(s => ({ name: 'stop', value: [s.x, s.y] })),
            itemStyle: { color: '#aaa' }
          }
        ].filter(x => x.data.length > 0)
      },
      true
    )
  },
  mesh() {
    const l = st.layout
    const max = Math.max(1, ...st.counts.map(c => c[0] + c[1] + c[2]))
    const nodes = l.nodes.map((n, i) => ({
      name: n.name,
      x: n.x ?? 0,
      y: -(n.y ?? 0),
      symbolSize: 5 + 15 * Math.sqrt((st.counts[i][0] + st.counts[i][1] + st.counts[i][2]) / max),
      itemStyle: { color: st.filter === i ? '#c0392b' : n.building ? '#2e86c1' : '#e67e22' },
      value: st.counts[i][0] + st.counts[i][1] + st.counts[i][2]
    }))
    // a link's width grows with the negotiation messages between its two nodes
    const most = Math.max(1, ...st.linkSteps.values())
    const links = [...st.edges].map(k => {
      const [a, b] = k.split('-').map(Number)
      const n = st.linkSteps.get(k) ?? 0
      const focus = st.filter != null && (a === st.filter || b === st.filter)
      return {
        source: a,
        target: b,
        value: n,
        lineStyle: {
          width: 1 + 4 * Math.sqrt(n / most),
          ...(focus ? { color: '#c0392b', opacity: 0.9 } : n > 0 ? { color: '#3a7d44', opacity: 0.7 } : {})
        }
      }
    })
    charts.mesh.setOption(
      {
        animation: false,
        tooltip: {
          formatter: p =>
            p.dataType === 'edge'
              ? `${nameOf(p.data.source)} — ${nameOf(p.data.target)}: ${p.data.value} negotiation steps`
              : `${p.name}: ${p.value} messages`
        },
        title: { text: `${st.edges.size} connections`, textStyle: { fontSize: 12, fontWeight: 'normal' } },
        series: [
          {
            type: 'graph',
            layout: 'none',
            roam: true,
            data: nodes,
            links,
            lineStyle: { color: '#999', opacity: 0.4, width: 1 },
            label: { show: false }
          }
        ]
      },
      true
    )
  },
  energy() {
    const l = st.layout
    charts.energy.setOption({
      animation: false,
      grid,
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: axisX(),
      yAxis: { type: 'value', name: 'kWh' },
      series: [
        {
          name: 'local traded',
          type: 'bar',
          data: st.slots.map((s, i) => (i < st.closed || s.trades > 0 ? kwh(s.localEnergyWh) : null)),
          itemStyle: { color: '#3a7d44' }
        },
        {
          name: 'physical maximum',
          type: 'line',
          step: 'middle',
          symbol: 'none',
          data: l.optimum.perSlot.map(p => kwh(p.physicalMaxWh)),
          lineStyle: { color: '#111', type: 'dashed' },
          itemStyle: { color: '#111' }
        }
      ]
    })
  },
  welfare() {
    const l = st.layout
    charts.welfare.setOption({
      animation: false,
      grid,
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: axisX(),
      yAxis: { type: 'value', name: 'IOTA' },
      series: [
        {
          name: 'welfare',
          type: 'bar',
          data: st.slots.map((s, i) => (i < st.closed || s.trades > 0 ? iota(s.welfareNanos) : null)),
          itemStyle: { color: '#5b8def' }
        },
        {
          name: 'central optimum',
          type: 'line',
          step: 'middle',
          symbol: 'none',
          data: l.optimum.perSlot.map(p => iota(p.optimumWelfareNanos)),
          lineStyle: { color: '#111', type: 'dashed' },
          itemStyle: { color: '#111' }
        }
      ]
    })
  },
  prices() {
    const l = st.layout
    const at = k => st.slots.map(s => (s.price != null ? perKwh(s.price[k]) : null))
    charts.prices.setOption({
      animation: false,
      grid,
      legend: { top: 0, type: 'scroll' },
      tooltip: { trigger: 'axis' },
      xAxis: axisX(),
      yAxis: { type: 'value', name: 'IOTA/kWh', min: 0 },
      series: [
        {
          name: 'retail',
          type: 'line',
          symbol: 'none',
          data: st.slots.map(() => perKwh(l.tariffs.retail)),
          lineStyle: { type: 'dashed', color: '#c0392b' },
          itemStyle: { color: '#c0392b' }
        },
        {
          name: 'feed-in',
          type: 'line',
          symbol: 'none',
          data: st.slots.map(() => perKwh(l.tariffs.feedIn)),
          lineStyle: { type: 'dashed', color: '#e6a23c' },
          itemStyle: { color: '#e6a23c' }
        },
        { name: 'highest', type: 'line', symbol: 'none', data: at('max'), itemStyle: { color: '#7fb3d5' } },
        { name: 'mean', type: 'line', symbolSize: 4, data: at('mean'), itemStyle: { color: '#1f4e79' } },
        { name: 'lowest', type: 'line', symbol: 'none', data: at('min'), itemStyle: { color: '#a9cce3' } }
      ]
    })
  },
  book() {
    const b = st.book
    if (b == null) return
    const s = st.slots[b.slot]
    const steps = xs => [[0, xs[0]?.[0] != null ? perKwh(xs[0][0]) : null], ...xs.map(([p, cum]) => [kwh(cum), perKwh(p)])]
    const marks =
      s?.price != null
        ? [
            { name: 'lowest', yAxis: perKwh(s.price.min) },
            { name: 'mean', yAxis: perKwh(s.price.mean) },
            { name: 'highest', yAxis: perKwh(s.price.max) }
          ]
        : []
    charts.book.setOption(
      {
        animation: false,
        grid,
        legend: { top: 0 },
        tooltip: { trigger: 'axis' },
        title: {
          text: `slot ${st.layout.slots.labels[b.slot]}: ${s?.trades ?? 0} trades, ${s?.proposals ?? 0} proposals`,
          right: 10,
          top: 0,
          textStyle: { fontSize: 11, fontWeight: 'normal' }
        },
        xAxis: { type: 'value', name: 'cumulative kWh', nameLocation: 'middle', nameGap: 24 },
        yAxis: { type: 'value', name: 'IOTA/kWh', min: 0 },
        series: [
          {
            name: 'asks (sell limits)',
            type: 'line',
            step: 'start',
            symbol: 'none',
            data: steps(b.asks),
            itemStyle: { color: '#3a7d44' },
            markLine: {
              symbol: 'none',
              silent: true,
              lineStyle: { color: '#1f4e79' },
              label: { formatter: '{b}', fontSize: 9 },
              data: marks
            }
          },
          { name: 'bids (buy limits)', type: 'line', step: 'start', symbol: 'none', data: steps(b.bids), itemStyle: { color: '#c0392b' } }
        ]
      },
      true
    )
  },
  messages() {
    const l = st.layout
    const names = l.nodes.map(n => n.name)
    const hl = k =>
      st.counts.map((c, i) => (st.filter === i ? { value: c[k], itemStyle: { borderColor: '#c0392b', borderWidth: 2 } } : c[k]))
    charts.messages.setOption({
      animation: false,
      grid: { ...grid, bottom: names.length > 40 ? 70 : 60 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: 60, fontSize: 9 } },
      yAxis: { type: 'value', name: 'messages' },
      dataZoom: names.length > 60 ? [{ type: 'slider', height: 14, bottom: 0, endValue: 59 }] : [],
      series: [
        { name: 'announcements published', type: 'bar', stack: 'm', data: hl(0), itemStyle: { color: '#2e86c1' } },
        { name: 'announcements received', type: 'bar', stack: 'm', data: hl(1), itemStyle: { color: '#a9cce3' } },
        { name: 'negotiation steps', type: 'bar', stack: 'm', data: hl(2), itemStyle: { color: '#3a7d44' } }
      ]
    })
  }
}
