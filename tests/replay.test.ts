import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runKvartal } from './helpers/processes.ts'
import {
  TraceError,
  followChain,
  playTrace,
  readTrace,
  replayMetrics,
  runScenario,
  summaryTable,
  validateScenario,
  type ScenarioResult
} from '@kvartal/sim'

// a small real district: eight buildings, four slots, ZI-C traders (so some proposals are rejected and
// some buyers walk away from a counter-offer), no mobility
const scenario = validateScenario({
  district: 'replay',
  slots: { first: 40, count: 4 },
  buildings: { generate: { count: 8 } },
  mobility: false,
  market: { strategy: 'zi-c' }
})

describe('kvartal replay', () => {
  let dir: string
  let trace: string
  let run: ScenarioResult
  let results: any
  let lines: any[]

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-replay-'))
    run = await runScenario(scenario, { outDir: dir })
    trace = join(dir, 'trace.ndjson')
    results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'))
    lines = (await readFile(trace, 'utf8'))
      .trim()
      .split('\n')
      .map(l => JSON.parse(l))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("recomputes results.json's figures from the trace alone", async () => {
    const m = replayMetrics(await readTrace(trace))
    const r = results.metrics
    // the run must have something to recompute: trades, refusals and walk-aways
    expect(r.trades).toBeGreaterThan(0)
    expect(r.negotiations.rejected + r.negotiations.walkedAway).toBeGreaterThan(0)
    for (const k of [
      'slots',
      'buildings',
      'trades',
      'localEnergyWh',
      'physicalMaxWh',
      'localShare',
      'welfareNanos',
      'optimumWelfareNanos',
      'welfareShare',
      'optimumTradedWh',
      'selfSufficiency',
      'selfSufficiencyWithoutTrading',
      'gridImportWh',
      'gridExportWh',
      'paidNanos',
      'averagePrice'
    ]) {
      expect((m as any)[k], k).toBe(r[k])
    }
    expect(m.negotiations).toEqual(r.negotiations)
    expect(m.latencyMs).toEqual(r.latencyMs)
    expect(m.consistency).toEqual(r.consistency)
    expect(m.grid).toEqual(r.grid)
    expect(m.perSlot).toEqual(r.perSlot)
  })

  it('counts the referrals buyers took from their negotiation-ended events, as the nodes counted them', async () => {
    // one buyer's refusal, said in the trace to have named 3 other sellers (the node writes `referred N` when its book took them)
    const i = lines.findIndex(l => l.type === 'negotiation-ended' && l.outcome === 'rejected')
    expect(i).toBeGreaterThanOrEqual(0)
    const edited = lines.map((l, j) => (j === i ? { ...l, detail: 'referred 3' } : l))
    const copy = join(dir, 'referred.ndjson')
    await writeFile(copy, edited.map(l => JSON.stringify(l)).join('\n') + '\n')
    const m = replayMetrics(await readTrace(copy))
    expect(m.negotiations.referrals).toEqual({ refusals: 1, sellers: 3 })
    expect(results.metrics.negotiations.referrals).toEqual({ refusals: 0, sellers: 0 })
    // refusals by code, counted from the same events, add up to the rejected negotiations
    expect(Object.values(m.negotiations.refusals).reduce((a, b) => a + b, 0)).toBe(results.metrics.negotiations.rejected)
  })

  it("prints the rows of kvartal sim's summary table that the trace gives, equal to the run's", async () => {
    const p = runKvartal(['replay', trace])
    const { code } = await p.exited
    expect(code, p.stderr.join('')).toBe(0)
    const printed = (p.stdout ?? []).join('').trimEnd().split('\n')
    const simRows = new Map(
      summaryTable(run)
        .split('\n')
        .map(l => [l.split('  ')[0], l])
    )
    for (const row of [
      'local energy traded',
      'welfare',
      'trades',
      'negotiations',
      'refusals',
      'negotiation latency',
      'consistency',
      'self-sufficiency'
    ]) {
      expect(printed, row).toContain(simRows.get(row))
    }
    // no row the trace cannot give (gossip, settlement, wall time)
    expect(printed.some(l => l.startsWith('wall time') || l.startsWith('settlement'))).toBe(false)
  }, 30_000)

  it('follows every committed trade across both peers, in causal order, every parent resolving', async () => {
    const { events } = await readTrace(trace)
    const commits = events.filter(e => e.type === 'trade-committed' && e.detail === 'seller')
    expect(commits.length).toBe(results.metrics.trades)
    const ids = new Set(events.map(e => e.id))
    expect(ids.size, 'event ids are unique within the run').toBe(events.length)
    for (const c of commits) {
      const chain = followChain(events, c.correlation!)
      const seller = c.node
      const buyer = c.peer!
      const has = (type: string, node: string): boolean => chain.some(e => e.type === type && e.node === node)
      expect(has('proposal-sent', buyer) && has('proposal-received', seller) && has('accepted', seller), c.correlation).toBe(true)
      expect(has('trade-committed', seller) && has('trade-committed', buyer) && has('negotiation-ended', buyer), c.correlation).toBe(true)
      // one root (the buyer's first proposal); every other event's parent is in the chain, before it
      expect(chain.filter(e => e.parent == null).map(e => [e.type, e.node])).toEqual([['proposal-sent', buyer]])
      chain.forEach((e, i) => {
        if (e.parent != null)
          expect(
            chain.findIndex(x => x.id === e.parent),
            `${e.id} ← ${e.parent}`
          ).toBeGreaterThanOrEqual(0)
        if (e.parent != null) expect(chain.findIndex(x => x.id === e.parent)).toBeLessThan(i)
      })
      // the seller's answer points at the buyer's proposal, the buyer's commit at the seller's
      const accepted = chain.find(e => e.type === 'accepted')!
      expect(chain.find(e => e.id === accepted.parent)).toMatchObject({ type: 'proposal-sent', node: buyer })
      const buyerCommit = chain.find(e => e.type === 'trade-committed' && e.node === buyer)!
      expect(chain.find(e => e.id === buyerCommit.parent)).toMatchObject({ type: 'trade-committed', node: seller })
      // following by the negotiation id gives the same chain
      expect(followChain(events, accepted.correlation!)).toEqual(chain)
    }
    // and the command prints it: one line per event
    const p = runKvartal(['replay', trace, '--follow', commits[0].correlation!])
    const { code } = await p.exited
    expect(code, p.stderr.join('')).toBe(0)
    expect((p.stdout ?? []).join('').trim().split('\n').length).toBe(followChain(events, commits[0].correlation!).length)
  }, 30_000)

  it("plays the trace into a dashboard tick by tick, ending with the run's figures", async () => {
    const t = await readTrace(trace)
    const seen: string[] = []
    let ticks = 0
    let finished: ScenarioResult | undefined
    await playTrace(t, {
      onPrepared: async (_p, names, layout) => {
        seen.push(`prepared ${names.size} ${layout?.nodes.length}`)
      },
      onEvent: e => {
        seen.push(e.type)
      },
      onJourney: o => {
        seen.push(o.type)
      },
      onProgress: async (n, total) => {
        ticks = n
        expect(total).toBe(run.ticks)
      },
      finish: r => {
        finished = r
      }
    })
    expect(seen[0]).toBe('prepared 8 8')
    expect(seen.length - 1).toBe(t.events.length)
    expect(ticks).toBe(run.ticks)
    expect(finished?.metrics.welfareNanos).toBe(results.metrics.welfareNanos)
  })

  it('refuses a damaged, cut off or foreign trace, naming the line (exit 2)', async () => {
    const text = lines.map(l => JSON.stringify(l))
    const bad = join(dir, 'bad.ndjson')
    const refused = async (content: string): Promise<TraceError> => {
      await writeFile(bad, content)
      const err = await readTrace(bad).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(err).toBeInstanceOf(TraceError)
      return err as TraceError
    }
    // a line cut in the middle
    expect((await refused([...text.slice(0, 9), text[9].slice(0, 30)].join('\n'))).line).toBe(10)
    // a run cut at a line's end: no run-ended line
    expect((await refused(text.slice(0, 12).join('\n') + '\n')).message).toMatch(/cut off/)
    // an event without its node
    const noNode = [...text]
    noNode[5] = JSON.stringify({ ...lines[5], node: undefined })
    expect((await refused(noNode.join('\n'))).line).toBe(6)
    // a journey's outcome the dashboard could not play (booked, but no journey and no baseline)
    const noJourney = [...text]
    noJourney.splice(
      5,
      0,
      JSON.stringify({ type: 'journey-outcome', id: 1, node: lines[1].node, departAfter: lines[1].at, status: 'booked' })
    )
    expect(await refused(noJourney.join('\n'))).toMatchObject({ line: 6, message: expect.stringMatching(/journey-outcome/) })
    // another format, and no header at all (a trace of an older kvartal)
    expect((await refused([JSON.stringify({ ...lines[0], format: 99 }), ...text.slice(1)].join('\n'))).message).toMatch(/format 99/)
    expect((await refused(text.slice(1).join('\n'))).message).toMatch(/no run-started header/)
    const p = runKvartal(['replay', bad])
    const { code } = await p.exited
    expect(code).toBe(2)
    expect(p.stderr.join('')).toMatch(/line 1: no run-started header/)
  }, 30_000)
})
