/**
 * The soak: a district of real `kvartal node` processes over TCP — energy sellers, buyers and prosumers, a
 * transit operator and travellers booking its seats, rental bikes and riders renting them pay per use —
 * trading for a long run while a seeded schedule kills a
 * random node with SIGKILL every few seconds and restarts it from its data directory. On 127.0.0.1, or
 * each node in a network namespace of its own (netns.ts), where seeded partitions split the district
 * and a share of the packets between nodes is lost; each node's clock may run off the machine's
 * (skew-clock.ts).
 * All settle through the `iota` adapter against FakeIotaRpc, a TEST DOUBLE of an IOTA full node (no IOTA
 * node can be reached here) running in this process, so all see one ledger.
 *
 * Sellers and prosumers (`meters` of them) have a building meter: an MQTT gateway whose registers the soak
 * publishes through a broker of its own (meter-feed.ts), keeping what it published as the ground truth.
 *
 * At the end the kills stop, the district runs on until the work the last kills interrupted is resolved
 * and its periods are settled, every process is stopped, the ledger is written to a file, and the
 * invariants (invariants.ts) are checked from the journals and that file alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal } from '@kvartal/node'
import { callNode } from '@kvartal/cli'
import { FakeIotaRpc } from '@kvartal/settlement/testing'
import { runKvartal, type NodeProcess } from '../../tests/helpers/processes.ts'
import { writeGtfsLine, type GtfsLine } from '../../tests/helpers/gtfs-line.ts'
import { districtNodes, gateClosureSecondsOf, writeSoakConfig, type DistrictShape, type SoakNode } from './district-config.ts'
import { checkDistrict } from './invariants.ts'
import { rideLoops } from './ride-loop.ts'
import { killSchedule, partitionSchedule, type Kill, type Partition } from './schedule.ts'
import { SoakNetwork } from './netns.ts'
import { MeterFeed } from './meter-feed.ts'
import { defaultSoakOptions, type SoakOptions, type SoakResult } from './soak-options.ts'
import { fixedPort } from '../../tests/helpers/fixed-port.ts'
import { START_TIMEOUT_MS, skewClock, sleep, stopInOrder, tradeCounter, writeNodeLogs, type Running } from './soak-processes.ts'

export { defaultSoakOptions, type SoakOptions, type SoakResult } from './soak-options.ts'

export async function runSoak(options: Partial<SoakOptions> = {}): Promise<SoakResult> {
  const o: SoakOptions = { ...defaultSoakOptions, ...options }
  const started = Date.now()
  const dir = await mkdtemp(join(tmpdir(), 'kvartal-soak-'))
  const rideNodes = o.vehicles > 0 && o.riders > 0 ? o.vehicles + o.riders : 0
  const count = o.sellers + o.buyers + o.prosumers + (o.travellers > 0 ? 1 + o.travellers : 0) + rideNodes
  let net: SoakNetwork | undefined
  let rpc: FakeIotaRpc | undefined
  let feed: MeterFeed | undefined
  const running: Running[] = []
  try {
    // in namespaces the ledger listens on the bridge's host address, which every namespace reaches
    net = o.network === 'netns' ? await SoakNetwork.create(count) : undefined
    rpc = await FakeIotaRpc.start(net != null ? { host: net.hostAddress } : {})
    const agencyId = 'soak-bus'
    const gtfs = join(dir, 'gtfs')
    // a bus every 20 s through four stops, from 90 s from now until well after the run
    const center = { lat: 63.43, lon: 10.39 }
    const line: GtfsLine = await writeGtfsLine(gtfs, {
      now: Date.now(),
      agencyId,
      center,
      stops: 4,
      spacingM: 450,
      firstInS: 90,
      headwayS: 20,
      trips: Math.ceil((o.durationMs / 1000 + 900) / 20),
      hopS: 45
    })
    const ports: number[] = []
    // fixed, below the kernel's ephemeral range: a node killed and not yet restarted keeps its port
    for (let i = 0; i < count; i++) ports.push(await fixedPort())
    const shape: DistrictShape = {
      dir,
      seed: o.seed,
      sellers: o.sellers,
      buyers: o.buyers,
      prosumers: o.prosumers,
      travellers: o.travellers,
      vehicles: o.vehicles,
      riders: o.riders,
      center,
      slotSeconds: o.slotSeconds,
      periodSlots: o.periodSlots,
      rpcUrl: rpc.url,
      gtfs,
      agencyId,
      seatsPerTrip: o.seatsPerTrip,
      ports,
      ...(net != null ? { hosts: net.addresses } : {})
    }
    // a meter's sample every slot/3 (at most 1 s), standing for a boundary up to half a slot (at least 1 s) after it
    feed = await MeterFeed.start({
      host: net?.hostAddress ?? '127.0.0.1',
      seed: o.seed,
      everyMs: Math.min(1_000, (o.slotSeconds * 1000) / 3)
    })
    const meterFeed = feed
    const metered = new Set(
      districtNodes(shape)
        .filter(n => n.role === 'seller' || n.role === 'prosumer')
        .slice(0, o.meters)
        .map(n => n.name)
    )
    const nodes = districtNodes(shape).map(n =>
      metered.has(n.name) ? { ...n, meter: meterFeed.meterOf(n.name, Math.max(1, Math.ceil(o.slotSeconds / 2))) } : n
    )
    feed.run()
    // each node's key from the seed, journaled before its first start: its peer id is known, so every
    // node dials every other from the start, and restarts find them all
    const peers: string[] = []
    for (const n of nodes) {
      const seed = createHash('sha256').update(`kvartal-soak/${o.seed}/${n.name}`).digest()
      const journal = await Journal.open(n.dataDir)
      try {
        await journal.saveSeed(seed)
      } finally {
        await journal.close()
      }
      const id = await identityFromSeed(seed)
      peers.push(`/ip4/${n.host}/tcp/${n.port}/p2p/${id.peerId.toString()}`)
      rpc.fund(id.iotaAddress, 10_000n * 1_000_000_000n)
    }
    await Promise.all(
      nodes.map(async (n, i) => {
        await writeSoakConfig(
          shape,
          n,
          peers.filter((_, k) => k !== i)
        )
      })
    )
    // a node's process, in its namespace when there are namespaces (`ip netns exec` execs it: the pid is the node's)
    const skewRandom = seededRandom(o.seed ^ 0x5c3e)
    const skews = new Map(nodes.map(n => [n.name, o.skewMs > 0 ? Math.round((2 * skewRandom() - 1) * o.skewMs) : 0]))
    const skewEnv = (n: SoakNode): Record<string, string> =>
      skews.get(n.name) === 0
        ? {}
        : {
            NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${skewClock}`.trim(),
            KVARTAL_SOAK_SKEW_MS: String(skews.get(n.name))
          }
    const launch = (n: SoakNode): NodeProcess =>
      runKvartal(['node', '--config', n.config], skewEnv(n), net != null ? { prefix: net.prefix(nodes.indexOf(n)) } : {})
    for (const n of nodes) {
      const p = launch(n)
      running.push({ node: n, proc: p, incarnations: [p], down: false })
    }
    await Promise.all(running.map(async r => await r.proc.waitFor(l => l.event === 'listening', START_TIMEOUT_MS)))

    // ---- trading, bookings and kills ----
    const tradingStart = Date.now()
    let stopping = false
    const random = seededRandom(o.seed ^ 0xb00c)
    let bookingAttempts = 0
    let bookingsConfirmed = 0
    const bookingErrors: Record<string, number> = {}
    const bookingOutcomes: Record<string, number> = {}
    const cancellations: Record<string, number> = {}
    const travellers = running.filter(r => r.node.role === 'traveller')
    const bookingLoops = travellers.map(async r => {
      while (!stopping) {
        if (r.down) {
          await sleep(200)
          continue
        }
        const to = line.stops[1 + Math.floor(random() * (line.stops.length - 1))]
        const body = {
          from: { lat: line.stops[0].lat, lon: line.stops[0].lon },
          to: { lat: to.lat, lon: to.lon },
          departAfter: Date.now() + 30_000 + Math.floor(random() * 180_000),
          modes: ['BUS'],
          maxWalkingM: 0,
          pick: 'fastest'
        }
        bookingAttempts++
        try {
          const out = (await callNode(r.node.dataDir, 'POST', '/journeys/book', body)) as {
            package?: string
            status?: string
            legs?: Array<{ code?: string }>
          }
          if (out.status === 'CONFIRMED') bookingsConfirmed++
          // some are cancelled at once, under their legs' terms: a refund the ledger must then show
          if (out.status === 'CONFIRMED' && out.package != null && random() * 100 < o.cancelPercent) {
            const c = await callNode(r.node.dataDir, 'POST', `/packages/${out.package}/cancel`, {}).then(
              v => (v as { status?: string }).status ?? '?',
              (err: unknown) => `error:${(err as { code?: string }).code ?? 'error'}`
            )
            cancellations[c] = (cancellations[c] ?? 0) + 1
          }
          // what the attempts that booked nothing met: a leg's refusal (no seats left, …) or the package's status
          const outcome =
            out.status === 'CONFIRMED' ? 'CONFIRMED' : `${out.status ?? '?'}:${out.legs?.find(l => l.code != null)?.code ?? ''}`
          bookingOutcomes[outcome] = (bookingOutcomes[outcome] ?? 0) + 1
        } catch (err) {
          // killed mid-booking, no operator heard yet, seats gone: the journals tell what happened
          const code = (err as { code?: string }).code ?? 'error'
          bookingErrors[code] = (bookingErrors[code] ?? 0) + 1
          await sleep(300)
        }
        await sleep(100 + Math.floor(random() * 400))
      }
    })
    // riders rent the bikes, one ride at a time each (ride-loop.ts)
    const rides = rideLoops(
      running.filter(r => r.node.role === 'rider'),
      center,
      seededRandom(o.seed ^ 0xb1ce),
      () => stopping
    )
    const countTrades = tradeCounter(running)
    const schedule: Kill[] =
      o.killEveryMs > 0 ? killSchedule({ seed: o.seed, killEveryMs: o.killEveryMs, nodes: running.length, durationMs: o.durationMs }) : []
    const cuts: Partition[] =
      net != null && o.partitionEveryMs > 0
        ? partitionSchedule({
            seed: o.seed,
            everyMs: o.partitionEveryMs,
            meanMs: o.partitionMs,
            nodes: running.length,
            durationMs: o.durationMs
          })
        : []
    let cut: Partition | undefined
    let nextCut = 0
    let partitions = 0
    let partitionedMs = 0
    if (net != null && o.lossPercent > 0) await net.loss(o.lossPercent)
    let kills = 0
    const killsByRole: Record<string, number> = {}
    let restarts = 0
    let killsSkipped = 0
    const restartFailures: Array<{ node: string; detail: string }> = []
    const restart = async (r: Running, downMs: number): Promise<void> => {
      await sleep(downMs)
      for (let attempt = 1; ; attempt++) {
        const p = launch(r.node)
        r.incarnations.push(p)
        try {
          await p.waitFor(l => l.event === 'listening', START_TIMEOUT_MS)
          r.proc = p
          r.down = false
          restarts++
          return
        } catch (err) {
          restartFailures.push({ node: r.node.name, detail: (err as Error).message.slice(0, 2_000) })
          p.proc.kill('SIGKILL')
          await p.exited
          // left down: the invariants still hold for what it journaled
          if (attempt >= 5) {
            restartFailures.push({ node: r.node.name, detail: `gave up after ${attempt} attempts` })
            return
          }
          await sleep(1_000)
        }
      }
    }
    let next = 0
    for (;;) {
      const elapsed = Date.now() - tradingStart
      const trades = countTrades()
      const faultsMet = partitions >= Math.min(o.minPartitions, cuts.length) && cut == null
      if (elapsed >= o.durationMs || (trades >= o.targetTrades && bookingsConfirmed >= o.targetBookings && faultsMet)) break
      while (next < schedule.length && schedule[next].atMs <= elapsed) {
        const k = schedule[next++]
        const r = running[k.victim]
        if (r.down) {
          killsSkipped++
          continue
        }
        r.down = true
        r.proc.proc.kill('SIGKILL')
        await r.proc.exited
        kills++
        killsByRole[r.node.role] = (killsByRole[r.node.role] ?? 0) + 1
        r.restarting = restart(r, k.downMs)
      }
      if (net != null && cut != null && elapsed >= cut.atMs + cut.forMs) {
        await net.heal()
        partitionedMs += cut.forMs
        cut = undefined
      }
      if (net != null && cut == null && nextCut < cuts.length && cuts[nextCut].atMs <= elapsed) {
        cut = cuts[nextCut++]
        await net.partition(cut.side)
        partitions++
      }
      if (Math.floor(elapsed / 10_000) !== Math.floor((elapsed - 250) / 10_000))
        o.onProgress?.({
          s: Math.round(elapsed / 1000),
          trades,
          bookings: bookingsConfirmed,
          bookingAttempts,
          rides: rides.outcomes.CONFIRMED ?? 0,
          kills,
          restarts,
          partitions
        })
      await sleep(250)
    }
    const tradingS = (Date.now() - tradingStart) / 1000
    // ---- quiesce: no more kills, cuts, loss or bookings; let the district resolve what they interrupted ----
    stopping = true
    if (net != null && cut != null) {
      await net.heal()
      partitionedMs += Math.min(cut.forMs, Date.now() - tradingStart - cut.atMs)
    }
    const dropped = await net?.dropped()
    await net?.loss(0)
    await Promise.all(running.map(async r => await r.restarting))
    await Promise.all(bookingLoops)
    await rides.done
    // holds lapse (4 s energy, 5 s seats), pending confirms are retried, the last rides end and their receipts close (a
    // slot after the window), and two periods settle
    const ridesClose = Math.max(0, rides.lastEnd() + o.slotSeconds * 1000 - Date.now())
    await sleep(Math.max(15_000, 2 * o.periodSlots * o.slotSeconds * 1000 + 5_000) + ridesClose)
    await stopInOrder(running)
    const stoppedAt = Date.now()
    await feed.stop()
    const meterTruth = join(dir, 'meter-truth.json')
    await feed.writeTruth(meterTruth)
    if (o.keep) await writeNodeLogs(dir, running)
    const ledgerFile = join(dir, 'ledger.json')
    await writeFile(
      ledgerFile,
      JSON.stringify(rpc.executions.map(x => ({ digest: x.digest, status: x.status, bytes: Buffer.from(x.bytes).toString('base64') })))
    )
    const district = {
      nodes: nodes.map(n => ({
        name: n.name,
        dataDir: n.dataDir,
        position: n.position,
        ...(n.seatsPerTrip != null ? { seatsPerTrip: n.seatsPerTrip } : {}),
        ...(skews.get(n.name) !== 0 ? { skewMs: skews.get(n.name) } : {})
      })),
      periodSlots: o.periodSlots,
      stoppedAt,
      slots: { epochMs: 0, slotMs: o.slotSeconds * 1000, gateClosureMs: gateClosureSecondsOf(o.slotSeconds) * 1000 }
    }
    await writeFile(join(dir, 'district.json'), JSON.stringify(district, null, 2))
    const report = await checkDistrict(district, ledgerFile, meterTruth)
    return {
      seed: o.seed,
      nodes: nodes.length,
      kills,
      restarts,
      killsSkipped,
      restartFailures,
      partitions,
      partitionedS: Math.round(partitionedMs / 100) / 10,
      ...(dropped != null ? { dropped } : {}),
      trades: report.trades,
      bookings: report.bookings,
      bookingAttempts,
      bookingErrors,
      bookingOutcomes,
      cancellations,
      legsSold: report.legsSold,
      rides: report.rides,
      rideAttempts: rides.attempts(),
      rideOutcomes: rides.outcomes,
      killsByRole,
      nettedBothWays: report.nettedBothWays,
      periodsSettled: report.periodsSettled,
      ledgerPayments: report.ledgerPayments,
      meters: report.meters,
      inFlight: report.inFlight,
      violations: report.violations,
      ...(o.skewMs > 0 ? { skews: Object.fromEntries(skews), latestAfterTrueGateMs: report.latestAfterTrueGateMs } : {}),
      wallTimeS: Math.round((Date.now() - started) / 100) / 10,
      tradingS: Math.round(tradingS * 10) / 10,
      ...(o.keep ? { dir } : {})
    }
  } finally {
    const all = running.flatMap(r => r.incarnations)
    for (const p of all) {
      if (p.proc.exitCode == null && p.proc.signalCode == null) p.proc.kill('SIGKILL')
    }
    await Promise.all(all.map(async p => await p.exited))
    await rpc?.close()
    await feed?.stop()
    await net?.close()
    if (!o.keep) await rm(dir, { recursive: true, force: true })
  }
}
