// The market's charts: the mesh, local energy, welfare, prices, order book depth and messages per node.
import { axisX, charts, drawers, grid, iota, kwh, nameOf, perKwh, st } from './page.js'

Object.assign(drawers, {
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
})
