/**
 * What an operator sees of a node whose journal cannot be written (a test double of a failing disk
 * under its real LevelDB, packages/node/testing/failing-disk.ts): `/ready` is not ready and says
 * why, `/status` shows the journal refusing writes, `kvartal_journal_refusing_writes` is 1, the
 * `node-error` is counted by code in `kvartal_node_errors_total` (not as a negotiation failure) and
 * logged at error level; once the disk works again, all of it clears.
 */
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { startDistrict } from '../../../tests/helpers/nodes.ts'
import { FailingDisk } from '@kvartal/node/testing'
import { nodeMetrics } from '../src/node-metrics.ts'
import { nodeHealth } from '../src/node-health.ts'
import { nodeLogger } from '../src/node-logger.ts'
import { eventLevel } from '../src/log-levels.ts'
import { controlRoutes, type JournalStatusAnswer } from '../src/control-api.ts'
import { parsePrometheusText, sampleValue } from '../testing/prometheus-text.ts'

describe('a node whose journal refuses writes, as its operator sees it', () => {
  it('is not ready, says why in /ready and /status, counts and logs a node-error, and clears once the journal writes again', async () => {
    const disk = new FailingDisk()
    const d = await startDistrict([{ buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 100 }], {
      extra: () => ({ joinTimeoutMs: 50, journal: { sync: false, diskProbeMs: 20, database: disk.database } })
    })
    const [node] = d.nodes
    const metrics = nodeMetrics({ defaultMetrics: false })
    const out: string[] = []
    const { logger } = nodeLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _enc, done) {
          out.push(String(chunk))
          done()
        }
      }) as never
    })
    // as `kvartal node` wires them (node-command.ts)
    d.onEvent(e => {
      metrics.observe(e)
      logger[eventLevel(e)]({ event: e.type, ...e })
    })
    await metrics.attach(node, { dataDir: d.dir, district: 'test', settlement: 'local', periodSlots: 4, version: 'test' })
    const health = nodeHealth({ aloneByConfig: true, adapter: 'local' })
    health.attach(node)
    const status = controlRoutes(node, { adapter: 'local' }).find(r => r.path === '/status')!
    const journalStatus = async (): Promise<JournalStatusAnswer> =>
      ((await status.handle({}, undefined)) as { journal: JournalStatusAnswer }).journal
    const scrape = async (): Promise<ReturnType<typeof parsePrometheusText>> => parsePrometheusText(await metrics.text())
    try {
      expect((await health.ready()).checks.journal).toMatchObject({ ok: true })
      expect(await journalStatus()).toMatchObject({ refusing: null })
      expect(sampleValue(await scrape(), 'kvartal_node_errors_total', { code: 'journal-write-failed' })).toBe(0)
      expect(sampleValue(await scrape(), 'kvartal_journal_refusing_writes')).toBe(0)
      // the disk fails: the next write finds it
      const back = d.waitFor('storage-recovered')
      disk.fail()
      await expect(node.journal.nextCounter('probe')).rejects.toMatchObject({ code: 'journal-write-failed' })
      const ready = await health.ready()
      expect(ready.status).toBe('not-ready')
      // what failed (LevelDB names files of the data directory) is not for /ready, which answers without a token:
      // /status and the log say it
      expect(ready.checks.journal).toMatchObject({
        ok: false,
        detail: 'the journal cannot be written: new work waits until it writes again'
      })
      expect(await journalStatus()).toEqual({
        entries: expect.any(Number),
        refusing: { code: 'journal-write-failed', detail: expect.stringMatching(/Input\/output error/) }
      })
      const f = await scrape()
      expect(sampleValue(f, 'kvartal_node_errors_total', { code: 'journal-write-failed' })).toBe(1)
      expect(sampleValue(f, 'kvartal_node_errors_total', { code: 'tick-failed' })).toBe(0)
      expect(sampleValue(f, 'kvartal_journal_refusing_writes')).toBe(1)
      expect(sampleValue(f, 'kvartal_journal_disk_full')).toBe(0)
      expect(f.get('kvartal_negotiation_failures_total')?.samples ?? []).toEqual([])
      const logged = out
        .join('')
        .trim()
        .split('\n')
        .map(l => JSON.parse(l))
        .filter(l => l.event === 'node-error')
      expect(logged).toEqual([
        expect.objectContaining({
          level: 'error',
          code: 'journal-write-failed',
          node: node.id,
          detail: expect.stringMatching(/this node takes no new work/)
        })
      ])
      // the disk works again: the journal reopens by itself, and every check clears
      disk.heal()
      await back
      expect((await health.ready()).checks.journal).toMatchObject({ ok: true })
      expect(await journalStatus()).toMatchObject({ refusing: null })
      expect(sampleValue(await scrape(), 'kvartal_journal_refusing_writes')).toBe(0)
    } finally {
      health.close()
      await d.close()
    }
  })
})
