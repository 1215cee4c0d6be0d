import type { KvartalNode } from '@kvartal/node'

/**
 * Why a journal or settlement check fails, as a stable word. /ready answers without a token (the
 * metrics port), so a failure is this code and a fixed sentence; the error itself (a LevelDB IO error
 * names files in the data directory, a ledger's names its endpoint) goes to the log only.
 */
export type CheckCode =
  | 'journal-closed'
  | 'journal-full'
  | 'journal-unwritable'
  | 'journal-unreadable'
  | 'no-settlement'
  | 'ledger-timeout'
  | 'ledger-unreachable'

/** One check's answer: whether it passes, and why, in words an operator can act on. */
export interface Check {
  readonly ok: boolean
  readonly detail: string
  readonly code?: CheckCode
}

export interface HealthAnswer {
  readonly status: 'ok' | 'unhealthy'
  readonly uptimeSeconds: number
  /** the node's lifecycle state (starting, joining, trading, stopping, …) */
  readonly state: string
  readonly checks: { readonly eventLoop: Check & { readonly lagMs: number } }
}

export interface ReadyAnswer {
  readonly status: 'ready' | 'not-ready'
  readonly state: string
  readonly checks: {
    readonly node: Check
    readonly mesh: Check & { readonly peers: number }
    readonly journal: Check
    readonly settlement: Check
  }
}

export interface HealthOptions {
  /**
   * No bootstrap peers and mDNS off: this node finds nobody by itself, others dial it (the first node
   * of a district). It is ready without peers.
   */
  readonly aloneByConfig: boolean
  readonly adapter: 'local' | 'iota'
  /** the event loop is unresponsive when a timer fires this late, ms */
  readonly maxLagMs?: number
  /** how long a settlement probe's answer stands, ms */
  readonly probeEveryMs?: number
  /** a check failed on an error: its details, for the log (once per new message, not at every probe) */
  readonly onCheckError?: (check: 'journal' | 'settlement', code: CheckCode, err: Error) => void
}

/**
 * - a timer every 500 ms measures how late it fires; 2 s late means the process could not answer a
 *   peer's frame in time (frameTimeoutMs is 5 s) and should be looked at;
 * - the settlement probe asks the ledger for this node's balance: a local ledger answers at once, an
 *   IOTA full node over the network; one probe per 30 s at most, answered within 5 s.
 */
export const defaultHealthOptions = { intervalMs: 500, maxLagMs: 2_000, probeEveryMs: 30_000, probeTimeoutMs: 5_000 }

export interface NodeHealth {
  /** process alive (it answers) and its event loop responsive */
  health(): HealthAnswer
  /** joined the mesh (has peers, or is alone by config), journal open, settlement reachable */
  ready(): Promise<ReadyAnswer>
  /** the node, once started (before: not ready, `starting`) */
  attach(node: KvartalNode): void
  close(): void
}

export function nodeHealth(o: HealthOptions): NodeHealth {
  const d = defaultHealthOptions
  const maxLagMs = o.maxLagMs ?? d.maxLagMs
  const probeEveryMs = o.probeEveryMs ?? d.probeEveryMs
  const started = performance.now()
  let node: KvartalNode | undefined
  let lagMs = 0
  let expected = performance.now() + d.intervalMs
  const timer = setInterval(() => {
    const now = performance.now()
    lagMs = Math.max(0, now - expected)
    expected = now + d.intervalMs
  }, d.intervalMs)
  timer.unref()
  let probe: { at: number; answer: Promise<Check> } | undefined
  const logged = new Map<string, string>()
  const failed =
    (check: 'journal' | 'settlement', code: CheckCode, detail: string) =>
    (err: Error): Check => {
      if (logged.get(check) !== err.message) {
        logged.set(check, err.message)
        o.onCheckError?.(check, code, err)
      }
      return { ok: false, code, detail }
    }
  const passed = (check: 'journal' | 'settlement', c: Check): Check => {
    logged.delete(check)
    return c
  }

  const probeSettlement = (n: KvartalNode): Promise<Check> => {
    if (probe != null && performance.now() - probe.at < probeEveryMs) return probe.answer
    const s = n.settlement
    const answer =
      s == null
        ? Promise.resolve<Check>({ ok: false, code: 'no-settlement', detail: 'no settlement adapter' })
        : Promise.race([
            s.balance(n.identity.iotaAddress).then(() => passed('settlement', { ok: true, detail: `${o.adapter} ledger answered` })),
            new Promise<Check>(resolve =>
              setTimeout(
                () =>
                  resolve({
                    ok: false,
                    code: 'ledger-timeout',
                    detail: `${o.adapter} ledger did not answer within ${d.probeTimeoutMs} ms`
                  }),
                d.probeTimeoutMs
              ).unref()
            )
          ]).catch(
            failed(
              'settlement',
              'ledger-unreachable',
              `${o.adapter} ledger unreachable: the node's log says why (event ready-check-failed)`
            )
          )
    probe = { at: performance.now(), answer }
    // a failed probe is not kept for long: the next request asks again
    void answer.then(c => {
      if (!c.ok && probe?.answer === answer) probe.at -= probeEveryMs - Math.min(probeEveryMs, 5_000)
    })
    return answer
  }

  const state = (): string => node?.state ?? 'starting'

  return {
    health() {
      // a lag measured before the last tick: a timer that has not fired for long is lag as well
      const current = Math.max(lagMs, performance.now() - expected)
      const ok = current <= maxLagMs
      return {
        status: ok ? 'ok' : 'unhealthy',
        uptimeSeconds: Math.round((performance.now() - started) / 1000),
        state: state(),
        checks: {
          eventLoop: {
            ok,
            lagMs: Math.round(current),
            detail: ok
              ? 'responsive'
              : `a timer fired ${Math.round(current)} ms late (limit ${maxLagMs} ms): the process is overloaded or blocked`
          }
        }
      }
    },
    async ready() {
      const n = node
      const s = state()
      const trading = n != null && s === 'trading'
      const nodeCheck: Check = { ok: trading, detail: trading ? 'trading' : `the node is ${s}` }
      if (n == null || n.host == null) {
        const not = { ok: false, detail: 'the node is starting' }
        return { status: 'not-ready', state: s, checks: { node: nodeCheck, mesh: { ...not, peers: 0 }, journal: not, settlement: not } }
      }
      const peers = n.host.getPeers().length
      const mesh =
        peers > 0
          ? { ok: true, peers, detail: `${peers} peer${peers === 1 ? '' : 's'} connected` }
          : o.aloneByConfig
            ? { ok: true, peers, detail: 'no peers; alone by config (no bootstrap, mDNS off): other nodes dial this one' }
            : {
                ok: false,
                peers,
                detail: 'no peers yet: the bootstrap peers or mDNS found none (check bootstrap addresses and the network)'
              }
      let journal: Check
      const refusing = n.journal?.refusing
      if (refusing != null) {
        // what failed can name files of the data directory, and /ready answers without a token: /status and the log say it
        journal =
          refusing.code === 'disk-full'
            ? { ok: false, code: 'journal-full', detail: "the journal's disk is full: new work waits until space is freed" }
            : { ok: false, code: 'journal-unwritable', detail: 'the journal cannot be written: new work waits until it writes again' }
      } else if (n.journal?.isOpen !== true) journal = { ok: false, code: 'journal-closed', detail: 'the journal is not open' }
      else
        journal = await n.journal
          .loadSeed()
          .then(
            () => passed('journal', { ok: true, detail: `open, ${n.journal.entries} entries` }),
            failed('journal', 'journal-unreadable', "the journal cannot be read: the node's log says why (event ready-check-failed)")
          )
      const settlement = await probeSettlement(n)
      const ok = nodeCheck.ok && mesh.ok && journal.ok && settlement.ok
      return { status: ok ? 'ready' : 'not-ready', state: s, checks: { node: nodeCheck, mesh, journal, settlement } }
    },
    attach(n) {
      node = n
    },
    close() {
      clearInterval(timer)
    }
  }
}
