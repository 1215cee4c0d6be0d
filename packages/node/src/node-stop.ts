import { NodeErrorCode, errorCode } from '@kvartal/protocol'
import type { GossipRouter, KvartalHost, TopicSync } from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Emit } from './events.ts'
import type { Journal } from './journal.ts'
import type { MobilityRuntime } from './mobility/mobility-runtime.ts'
import type { NodeTicker } from './node-ticker.ts'
import type { SlotMeter } from './slot-meter.ts'

/** how long a stopping node lets a period's settlement in flight finish before aborting it, real ms */
const SETTLE_GRACE_MS = 20_000

/** A node's parts that stop, as far as its start made them. */
export interface StoppingParts {
  readonly router?: GossipRouter
  readonly topicSync?: TopicSync
  readonly mobility?: MobilityRuntime
  readonly meter?: SlotMeter
  readonly host?: KvartalHost
  readonly settlement?: Settlement
  readonly journal?: Journal
}

export interface NodeStopDeps {
  /** the node's own: aborted first, so it takes no new work */
  readonly abort: AbortController
  /** aborts a period's settlement in flight: only after SETTLE_GRACE_MS */
  readonly settleAbort: AbortController
  readonly ticker: NodeTicker | undefined
  /** resolves when no work is in flight */
  readonly idle: () => Promise<void>
  /** the parts, read as each one stops (a start still under way may have made more of them by then) */
  readonly parts: () => StoppingParts
  readonly emit: Emit
}

/**
 * Stops a node (kvartal-node.ts, the node machine's `stop`): no new work, a period's settlement in flight
 * given its grace, work in flight a moment to finish, then each part in turn, and `stopped`.
 */
export async function stopNode(d: NodeStopDeps): Promise<void> {
  d.abort.abort()
  d.ticker?.cancel()
  // a period's settlement in flight finishes first, for up to SETTLE_GRACE_MS: aborted at once, a payment or
  // attestation the ledger had already executed was left unjournaled until the next start (nothing lost,
  // the next start finds it by its key; but an operator reading the journal of a stopped node saw a
  // period attested on the ledger and not settled in its journal: tests/crash-energy.test.ts, under load)
  const settling = d.ticker?.settling
  if (settling != null) await Promise.race([settling.catch(() => {}), new Promise(resolve => setTimeout(resolve, SETTLE_GRACE_MS).unref())])
  d.settleAbort.abort()
  // let work in flight finish (a journal write, a reply) for a moment; negotiations the machine stops
  // on its way out never report back, so do not wait for them forever
  await Promise.race([d.idle(), new Promise(resolve => setTimeout(resolve, 3_000).unref())])
  // each part stops even if one before it failed; a failure is said (node-error), never swallowed
  const attempt = async (code: NodeErrorCode, part: string, f: () => unknown): Promise<void> => {
    try {
      await f()
    } catch (err) {
      d.emit({
        type: 'node-error',
        code,
        detail: `${part}: ${String((err as Error)?.message ?? err)} (${errorCode(err, (err as Error)?.name ?? 'error')})`
      })
    }
  }
  await attempt(NodeErrorCode.stopFailed, 'gossip router', () => d.parts().router?.stop())
  await attempt(NodeErrorCode.stopFailed, 'topic sync', async () => await d.parts().topicSync?.stop())
  await attempt(NodeErrorCode.stopFailed, 'mobility', async () => await d.parts().mobility?.stop())
  await attempt(NodeErrorCode.stopFailed, 'meter', async () => await d.parts().meter?.stop())
  await attempt(NodeErrorCode.stopFailed, 'libp2p host', async () => await d.parts().host?.stop())
  await attempt(NodeErrorCode.closeFailed, 'settlement adapter', async () => await d.parts().settlement?.close?.())
  await attempt(NodeErrorCode.closeFailed, 'journal', async () => await d.parts().journal?.close())
  d.emit({ type: 'stopped' })
}
