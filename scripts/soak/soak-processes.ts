/**
 * The soak district's node processes (run.ts): how long one may take to start,
 * the preload that skews its clock, the trades their logs report, the order they stop in, and their logs
 * written out.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NodeProcess } from '../../tests/helpers/processes.ts'
import type { SoakNode } from './district-config.ts'

/** how long a node may take to listen: minutes, on a machine that runs much else */
export const START_TIMEOUT_MS = 180_000

/** the preload that sets a node's clock off (skew-clock.ts) */
export const skewClock = fileURLToPath(new URL('./skew-clock.ts', import.meta.url))

export const sleep = async (ms: number): Promise<void> => {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** One node of the running district: its current process, and whether it is between a kill and its restart. */
export interface Running {
  readonly node: SoakNode
  proc: NodeProcess
  /** every process this node ran, for counting trades from their logs (progress only) */
  readonly incarnations: NodeProcess[]
  down: boolean
  restarting?: Promise<void>
}

/** The seller trades the district committed so far, counted from every incarnation's log lines (progress only). */
export function tradeCounter(running: readonly Running[]): () => number {
  const sellerTrades = new Set<string>()
  const seen = new Map<NodeProcess, number>()
  return (): number => {
    for (const r of running) {
      for (const p of r.incarnations) {
        const from = seen.get(p) ?? 0
        for (let i = from; i < p.lines.length; i++) {
          const l = p.lines[i]
          if (l.event === 'trade-committed' && l.detail === 'seller') sellerTrades.add(l.correlation)
        }
        seen.set(p, p.lines.length)
      }
    }
    return sellerTrades.size
  }
}

/**
 * Stops every node (SIGKILL if it takes 30 s): buyers and travellers first (they start negotiations and
 * bookings), then sellers and the operator.
 */
export async function stopInOrder(running: readonly Running[]): Promise<void> {
  const order = (r: Running): number => (r.node.role === 'buyer' || r.node.role === 'traveller' ? 0 : 1)
  for (const phase of [0, 1]) {
    await Promise.all(
      running
        .filter(r => order(r) === phase)
        .map(async r => {
          const t = setTimeout(() => {
            r.proc.proc.kill('SIGKILL')
          }, 30_000)
          await r.proc.stop()
          clearTimeout(t)
        })
    )
  }
}

/** Writes each node's log, every incarnation's lines and stderr in turn, to `<dir>/<node>.log`. */
export async function writeNodeLogs(dir: string, running: readonly Running[]): Promise<void> {
  for (const r of running)
    await writeFile(
      join(dir, `${r.node.name}.log`),
      r.incarnations
        .map((p, i) =>
          [
            `# incarnation ${i + 1}`,
            ...p.lines.map(l => JSON.stringify(l)),
            ...(p.stderr.length > 0 ? ['# stderr', p.stderr.join('')] : [])
          ].join('\n')
        )
        .join('\n') + '\n'
    )
}
