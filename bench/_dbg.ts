import { createDistrict } from './common.ts'
const n = Number(process.argv[2] ?? 1)
const d = await createDistrict(Array.from({ length: n }, () => ({})))
const t = performance.now()
const up: number[] = []
d.nodes.forEach((node, i) => node.on((e) => { if (e.type === 'started') up[i] = Math.round(performance.now() - t) }))
// poll when host exists / started
const iv = setInterval(() => { const x = d.nodes.filter(n => n.host != null).length; const y = d.nodes.filter(n => (n.host as any)?.status === 'started').length; console.log(Math.round(performance.now() - t), 'hosts', x, 'started', y, 'ev', up.filter(v => v != null).length) }, 200)
await Promise.all(d.nodes.map(x => x.start()))
clearInterval(iv)
console.log('done', Math.round(performance.now() - t), up.slice(0, 5))
await d.close(); process.exit(0)
