import { describe, expect, it } from 'vitest'
import type { KvartalNode } from '@kvartal/node'
import { observabilityRoutes, startMetricsServer } from '../src/metrics-server.ts'
import { nodeHealth, type CheckCode } from '../src/node-health.ts'
import { nodeMetrics } from '../src/node-metrics.ts'

// /ready on the metrics port answers without a token: a journal or ledger that fails is a code and a
// fixed sentence there, and the error itself (a LevelDB IO error names files in the data directory)
// goes to the log only. The failures are provoked in a stand-in node (a LevelDB read error cannot be
// had on demand from a real one); the HTTP server, routes and health checks are the node's own.

const DATA_DIR = '/var/lib/kvartal/data'

/** A stand-in for a trading node whose journal reads and ledger probes fail as `fail` says. */
function standInNode(fail: { journal?: Error; ledger?: Error }): KvartalNode {
  return {
    state: 'trading',
    host: { getPeers: () => ['peer'] },
    identity: { iotaAddress: '0x01' },
    journal: {
      isOpen: true,
      entries: 12,
      loadSeed: async () => {
        if (fail.journal != null) throw fail.journal
        return new Uint8Array(32)
      }
    },
    settlement: {
      balance: async () => {
        if (fail.ledger != null) throw fail.ledger
        return 0n
      }
    }
  } as unknown as KvartalNode
}

describe('/ready on the token-less metrics port', () => {
  it('says which check failed by code and a fixed sentence, never the error; the error goes to the log once', async () => {
    const logged: Array<[string, CheckCode, string]> = []
    const health = nodeHealth({
      aloneByConfig: false,
      adapter: 'local',
      probeEveryMs: 0,
      onCheckError: (check, code, err) => {
        logged.push([check, code, err.message])
      }
    })
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, routes: observabilityRoutes(nodeMetrics(), health) })
    const ready = async (): Promise<{ status: number; text: string; body: any }> => {
      const r = await fetch(`${server.url}/ready`)
      const text = await r.text()
      return { status: r.status, text, body: JSON.parse(text) }
    }
    const fail: { journal?: Error; ledger?: Error } = {
      journal: new Error(`IO error: ${DATA_DIR}/journal/000123.ldb: Input/output error`),
      ledger: new Error(`IO error: ${DATA_DIR}/ledger/LOCK: Resource temporarily unavailable`)
    }
    health.attach(standInNode(fail))
    try {
      const r = await ready()
      expect(r.status).toBe(503)
      expect(r.text).not.toContain(DATA_DIR)
      expect(r.text).not.toContain('IO error')
      expect(r.body).toMatchObject({
        status: 'not-ready',
        checks: {
          node: { ok: true },
          mesh: { ok: true },
          journal: {
            ok: false,
            code: 'journal-unreadable',
            detail: "the journal cannot be read: the node's log says why (event ready-check-failed)"
          },
          settlement: {
            ok: false,
            code: 'ledger-unreachable',
            detail: "local ledger unreachable: the node's log says why (event ready-check-failed)"
          }
        }
      })
      expect(logged).toEqual([
        ['journal', 'journal-unreadable', fail.journal!.message],
        ['settlement', 'ledger-unreachable', fail.ledger!.message]
      ])
      // a probe every few seconds does not repeat the same error in the log
      expect((await ready()).status).toBe(503)
      expect(logged).toHaveLength(2)
      // both recover: ready; a new failure is logged again
      delete fail.journal
      delete fail.ledger
      expect(await ready()).toMatchObject({
        status: 200,
        body: { status: 'ready', checks: { journal: { ok: true, detail: 'open, 12 entries' }, settlement: { ok: true } } }
      })
      fail.journal = new Error(`Corruption: ${DATA_DIR}/journal/MANIFEST-000002`)
      expect((await ready()).body.checks.journal).toEqual({
        ok: false,
        code: 'journal-unreadable',
        detail: "the journal cannot be read: the node's log says why (event ready-check-failed)"
      })
      expect(logged.at(-1)).toEqual(['journal', 'journal-unreadable', fail.journal.message])
    } finally {
      await server.close()
      health.close()
    }
  })
})
