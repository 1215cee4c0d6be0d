/**
 * `node bench/hostile.ts [attackers]` — the time an honest district takes to prune a hostile peer. Two
 * real nodes on TCP over 127.0.0.1 (noise, yamux, the edge's connection limits; level journals in a temp
 * directory; one sells energy and bus seats, one buys and travels) and, one after another, `attackers`
 * (default 5) stock libp2p peers (tests/helpers/stock-peer.ts: libp2p and gossipsub, no Kvartal code),
 * each with a fresh key. Each joins both meshes, hears the honest gossip, then publishes 400 messages on
 * the offer and mobility topics (garbage, honest messages with a bit flipped, the same honest messages
 * again, 48 KiB messages, then two of 200 KiB). Measured per attacker, from its first message: until both
 * honest nodes score it below gossipsub's graylist threshold (its RPCs ignored from then on), and until
 * neither keeps it in its offer-topic mesh (pruned). Prints one JSON document. Measurement only.
 */
import { slots } from '../tests/helpers/nodes.ts'
import { smallTimetable, transit } from '../tests/helpers/mobility.ts'
import { startTcpDistrict } from '../tests/helpers/tcp-district.ts'
import { floodGossip, inMesh } from '../tests/helpers/hostile-tcp.ts'
import { kvartalNames, startStockPeer } from '../tests/helpers/stock-peer.ts'

const attackers = Number(process.argv[2] ?? 5)
const watchdog = setTimeout(() => {
  process.stdout.write(JSON.stringify({ error: 'hostile bench timed out' }) + '\n')
  process.exit(1)
}, 110_000)

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]
}
const wait = async (cond: () => boolean, what: string, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

const tt = smallTimetable()
const d = await startTcpDistrict(
  [
    { position: s => (s >= 0 ? 1_000 : 0), mobility: transit(tt, 40) },
    { position: s => (s >= 0 ? -300 : 0), mobility: 'traveller' }
  ],
  { timetable: tt, extra: { republishEverySlots: 1 } }
)
const names = kvartalNames('test')
const runs: Array<{ graylistMs: number; pruneMs: number }> = []
try {
  for (let k = 0; k < attackers; k++) {
    const m = await startStockPeer({ seed: 200 + k })
    try {
      for (const v of d.nodes) await m.host.dial(v.host.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) })
      for (const t of [names.offerTopic, names.mobilityTopic]) m.host.services.pubsub.subscribe(t)
      await wait(() => d.nodes.every(v => inMesh(v, m, names.offerTopic)), 'the attacker in both meshes')
      // the honest nodes announce again now and then: the attacker needs something to copy
      for (let i = 0; i < 40 && (m.heard.get(names.offerTopic)?.length ?? 0) === 0; i++) {
        await d.runUntil(d.clock.now() + slots.slotMs / 4)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      const r = await floodGossip(m, d.nodes, 'test', 400)
      runs.push({ graylistMs: r.graylistMs, pruneMs: r.pruneMs })
    } finally {
      await m.stop()
    }
  }
} finally {
  await d.close()
  clearTimeout(watchdog)
}
process.stdout.write(
  JSON.stringify({
    attackers,
    messagesPerAttacker: 402,
    graylistMs: runs.map(r => r.graylistMs),
    pruneMs: runs.map(r => r.pruneMs),
    medianGraylistMs: median(runs.map(r => r.graylistMs)),
    medianPruneMs: median(runs.map(r => r.pruneMs)),
    note: 'gossipsub heartbeat is 1 s: scores and meshes change at heartbeats'
  }) + '\n'
)
