import type { NodeEvent } from '@kvartal/protocol'

/** What components emit: the node fills in its id and the time. */
export type Emit = (event: Omit<NodeEvent, 'node' | 'at'>) => void

/**
 * The id of one step of a negotiation, as both peers name it (NodeEvent `id`, `parent`): the seller's
 * events point at the buyer's proposal, the buyer's at the seller's counter and commit, without the
 * wire carrying event ids.
 */
export function stepId(node: string, negotiation: string, step: string): string {
  return `${node.slice(0, 8)}:${negotiation.slice(0, 16)}:${step}`
}
