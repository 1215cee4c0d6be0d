import { defaultScenario, runScenario } from '@kvartal/sim'
const count = Number(process.argv[2] ?? 24)
let t = performance.now()
const counts: Record<string, number> = {}
const r = await runScenario({ ...defaultScenario, slots: { ...defaultScenario.slots, count } }, {
  onProgress: (d, tot) => { const x = performance.now(); const dt = x - t; t = x; if (dt > 300) console.log('tick', d, Math.round(dt), JSON.stringify(counts)); for (const k in counts) delete counts[k] },
  onEvent: (e) => { const k = e.type + (e.code ? ':' + e.code : ''); counts[k] = (counts[k] ?? 0) + 1 }
})
console.log(r.wallMs, r.gossipLate, JSON.stringify(r.metrics.negotiations))
process.exit(0)
