import type { NodeEvent } from '@kvartal/protocol'
import type { WebSocket } from 'ws'
import type { PreparedScenario } from '../prepared-scenario.ts'
import type { ScenarioResult } from '../scenario-result.ts'
import type { Scenario } from '../scenario.ts'
import type { JourneyOutcome } from '../trip-agent.ts'
import { runStartMs } from '../tick-driver.ts'
import type { NodeNames } from '../report-html/trace-names.ts'
import { dashboardLayout, limitBook, type DashboardLayout } from './layout.ts'
import { LiveState, type SamplingLimits } from './live-state.ts'
import { RunControl } from './run-control.ts'
import { startPageServer, type PageFile } from './page-server.ts'

export interface DashboardOptions {
  /** 0 (the default): a free port */
  port?: number
  /** 127.0.0.1 unless said otherwise */
  host?: string
  /** the clock waits for the page's "resume" or "step" before the first tick */
  paused?: boolean
  sampling?: SamplingLimits
  /** a page whose socket holds more than this many unsent bytes misses batches (counted) and gets a snapshot once it has caught up */
  maxBufferedBytes?: number
}

/**
 * A live dashboard for one simulation run: an HTTP server with the page, its script and ECharts, and a
 * WebSocket that sends one batch per tick. Hand its `onPrepared`, `onEvent`, `onJourney` and `onProgress` to
 * `runScenario`, then `finish` with the result.
 */
export interface Dashboard {
  readonly url: string
  /** `given`: the layout a replayed trace carries (its run-started header), instead of one made from `p` */
  readonly onPrepared: (p: PreparedScenario, names: NodeNames, given?: DashboardLayout) => Promise<void>
  readonly onEvent: (e: NodeEvent) => void
  /** each traveller's journey as it is settled: the journeys panel, and the rides that move vehicles on the map */
  readonly onJourney: (o: JourneyOutcome) => void
  readonly onProgress: (done: number, total: number) => Promise<void>
  /** results.json's figures, for the page to show beside its own */
  finish: (r: ScenarioResult) => void
  /** batches a page missed because it was slow, over all pages */
  readonly droppedBatches: () => number
  close: () => Promise<void>
}

const files: Record<string, PageFile> = {
  '/': { file: new URL('./public/index.html', import.meta.url), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: new URL('./public/dashboard.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  '/page.js': { file: new URL('./public/page.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  '/map.js': { file: new URL('./public/map.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  '/charts.js': { file: new URL('./public/charts.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  '/journeys.js': { file: new URL('./public/journeys.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: new URL('./public/dashboard.css', import.meta.url), type: 'text/css; charset=utf-8' }
}

interface Client {
  socket: WebSocket
  stale: boolean
  focus?: number
}

export async function startDashboard(s: Scenario, o: DashboardOptions = {}): Promise<Dashboard> {
  const clients = new Set<Client>()
  const control = new RunControl(o.paused === true)
  const maxBuffered = o.maxBufferedBytes ?? 4 * 1024 * 1024
  let prepared: PreparedScenario | undefined
  let layout: DashboardLayout | undefined
  let live: LiveState | undefined
  let done: Record<string, unknown> | undefined
  let dropped = 0

  // "paused" once the runner is really held; asked to pause, until then "pausing"
  const state = (): string =>
    done != null ? 'done' : live == null ? 'preparing' : control.state === 'paused' && !control.held ? 'pausing' : control.state
  const status = (): Record<string, unknown> => ({
    type: 'status',
    state: state(),
    tick: live?.tick ?? 0,
    closed: live?.closed ?? 0,
    droppedBatches: dropped
  })
  const send = (c: Client, msg: unknown): void => {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify(msg))
  }
  const broadcast = (msg: unknown): void => {
    for (const c of clients) send(c, msg)
  }
  const refocus = (): void => {
    if (live != null) live.focus = new Set([...clients].map(c => c.focus).filter((x): x is number => x != null))
  }
  // while paused, the page hears that the clock still stands where it stopped
  control.onChange = () => {
    broadcast(status())
  }
  const heartbeat = setInterval(() => {
    if (control.held && done == null) broadcast(status())
  }, 250)
  heartbeat.unref()

  const onSocket = (socket: WebSocket): void => {
    const c: Client = { socket, stale: false }
    clients.add(c)
    if (layout != null) send(c, { type: 'hello', layout })
    if (live != null) send(c, live.snapshot())
    if (done != null) send(c, { type: 'done', results: done })
    send(c, status())
    socket.on('message', (data: Buffer) => {
      let m: { type?: string; node?: number | null; slot?: number }
      try {
        m = JSON.parse(data.toString())
      } catch {
        return
      }
      if (m.type === 'pause') control.pause()
      else if (m.type === 'resume') control.resume()
      else if (m.type === 'step') control.step(live?.closed ?? 0)
      else if (m.type === 'filter') {
        c.focus = typeof m.node === 'number' ? m.node : undefined
        refocus()
      } else if (m.type === 'book' && prepared != null && typeof m.slot === 'number')
        send(c, { type: 'book', slot: m.slot, ...limitBook(prepared, m.slot) })
    })
    socket.on('close', () => {
      clients.delete(c)
      refocus()
    })
  }

  const pages = await startPageServer({
    files,
    ...(o.port != null ? { port: o.port } : {}),
    ...(o.host != null ? { host: o.host } : {}),
    onSocket
  })
  return {
    url: pages.url,
    onPrepared: async (p, names, given) => {
      prepared = p
      layout = given ?? dashboardLayout(s, p, names)
      live = new LiveState(s, p, runStartMs(p.run), o.sampling, layout.nodes)
      broadcast({ type: 'hello', layout })
      broadcast(live.snapshot())
      broadcast(status())
      await control.mayContinue(0)
    },
    onEvent: e => {
      live?.event(e)
    },
    onJourney: j => {
      live?.journey(j)
    },
    onProgress: async (n, total) => {
      if (live == null) return
      live.advance(n, total)
      const b = live.batch()
      for (const c of clients) {
        // a page that cannot keep up misses batches; once its socket drains it gets everything at once
        if (c.socket.bufferedAmount > maxBuffered) {
          c.stale = true
          dropped++
          continue
        }
        send(c, c.stale ? live.snapshot() : b)
        c.stale = false
      }
      await control.mayContinue(live.closed)
      broadcast(status())
    },
    finish: r => {
      const m = r.metrics
      done = {
        trades: m.trades,
        localEnergyWh: m.localEnergyWh,
        welfareNanos: m.welfareNanos,
        optimumWelfareNanos: m.optimumWelfareNanos,
        physicalMaxWh: m.physicalMaxWh,
        localShare: m.localShare,
        welfareShare: m.welfareShare,
        perSlot: m.perSlot,
        ...(r.mobility != null
          ? {
              mobility: {
                journeys: r.mobility.journeys,
                perJourney: r.mobility.perJourney,
                rides: r.mobility.rides,
                receiptsSigned: r.mobility.receipts.signed
              }
            }
          : {})
      }
      if (live != null) broadcast(live.snapshot())
      broadcast({ type: 'done', results: done })
      broadcast(status())
    },
    droppedBatches: () => dropped,
    close: async () => {
      clearInterval(heartbeat)
      control.resume()
      for (const c of clients) c.socket.close()
      await pages.close()
    }
  }
}
