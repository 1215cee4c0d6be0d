// The live dashboard's page: one WebSocket, one batch per simulated tick, ECharts for every chart
// (page.js: shared state; map.js, charts.js, journeys.js: the charts).
import { $, charts, initCharts, iota, kwh, localTime, nameOf, perKwh, setValue, st, touch } from './page.js'
import './map.js'
import './charts.js'
import { applyMobility, doneMobility, filterJourneys } from './journeys.js'

initCharts(['map', 'mesh', 'energy', 'welfare', 'prices', 'book', 'messages', 'journeys', 'modes', 'versus'])
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

function setStatus(s) {
  $('status').textContent = s
  $('status').dataset.state = s
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
  if (b.mobility != null) applyMobility(b.mobility, b.reset)
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
  doneMobility(r.mobility)
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
  filterJourneys()
  for (const li of $('timeline').children) li.hidden = st.filter != null && !li.dataset.nodes.split(',').includes(String(st.filter))
  $('timeline-note').textContent =
    st.filter == null ? '' : `only ${nameOf(st.filter)}'s negotiations (followed from now on, whatever the sample)`
}
