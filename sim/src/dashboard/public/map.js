// The district map: buildings by feeder, transit stops, and the shared vehicles where they are now: parked, or
// moving along a ride (its path so far solid, the rest dashed).
import { charts, drawers, grid, palette, st } from './page.js'

/** A vehicle's place now: the live one (journeys.js) once it has moved, else where the layout parked it. */
function placeOf(n, i) {
  return st.mobility?.vehicles.get(i) ?? { x: n.x, y: n.y }
}

drawers.map = () => {
  const l = st.layout
  const feeders = [...new Set(l.nodes.filter(n => n.building).map(n => n.feeder ?? 'district'))]
  const labels = l.nodes.length <= 40
  const point = (n, i, at = n) => ({
    name: n.name,
    value: [at.x, at.y],
    itemStyle: n.relay ? { borderColor: '#000', borderWidth: 2 } : undefined,
    symbolSize: st.filter === i ? 18 : 10
  })
  const vehicles = l.nodes.map((n, i) => [n, i, placeOf(n, i)]).filter(([n]) => !n.building && n.x != null)
  const riding = vehicles.filter(([, , p]) => p.ride != null)
  const rideLines = (k, style) => ({
    name: 'rides',
    type: 'lines',
    coordinateSystem: 'cartesian2d',
    silent: true,
    data: riding.map(([, , p]) => ({ coords: k === 0 ? [p.ride.from, [p.x, p.y]] : [[p.x, p.y], p.ride.to] })),
    lineStyle: { color: '#c0392b', width: 2, opacity: 0.8, ...style }
  })
  // the axes hold every place drawn, rides' ends too (a 'lines' series does not stretch them)
  const places = [
    ...l.nodes.filter(n => n.x != null).map(n => [n.x, n.y]),
    ...l.stops.map(s => [s.x, s.y]),
    ...vehicles.map(([, , p]) => [p.x, p.y]),
    ...riding.flatMap(([, , p]) => [p.ride.from, p.ride.to])
  ]
  const extent = k => {
    if (places.length === 0) return { scale: true }
    const lo = Math.min(...places.map(p => p[k]))
    const hi = Math.max(...places.map(p => p[k]))
    const pad = Math.max(50, (hi - lo) * 0.04)
    return { min: Math.floor((lo - pad) / 500) * 500, max: Math.ceil((hi + pad) / 500) * 500 }
  }
  charts.map.setOption(
    {
      animation: false,
      grid: { ...grid, right: 90 },
      tooltip: { formatter: p => p.name },
      legend: { top: 0, type: 'scroll' },
      xAxis: { type: 'value', name: 'm east', nameLocation: 'middle', nameGap: 24, ...extent(0), axisLine: { onZero: false } },
      yAxis: { type: 'value', name: 'm north', nameLocation: 'middle', nameGap: 40, ...extent(1), axisLine: { onZero: false } },
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
          data: vehicles.filter(([, , p]) => p.ride == null).map(([n, i, p]) => point(n, i, p)),
          itemStyle: { color: '#e67e22' },
          label: { show: labels, position: 'right', formatter: '{b}', fontSize: 9 }
        },
        rideLines(0, {}),
        rideLines(1, { type: 'dashed', opacity: 0.5 }),
        {
          name: 'riding',
          type: 'scatter',
          symbol: 'triangle',
          z: 5,
          data: riding.map(([n, i, p]) => ({ ...point(n, i, p), symbolSize: st.filter === i ? 20 : 14 })),
          itemStyle: { color: '#c0392b' },
          label: { show: true, position: 'right', formatter: '{b}', fontSize: 10, fontWeight: 'bold' }
        },
        {
          name: 'stops',
          type: 'scatter',
          symbolSize: 4,
          data: l.stops.map(s => ({ name: 'stop', value: [s.x, s.y] })),
          itemStyle: { color: '#aaa' }
        }
        // with vehicles, their two series stay in the legend while none (or all) of them ride
      ].filter(x => x.data.length > 0 || (vehicles.length > 0 && (x.name === 'riding' || x.name === 'vehicles')))
    },
    true
  )
}
