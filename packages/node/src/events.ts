import type { NodeEvent } from '@kvartal/protocol'

/** What components emit: the node fills in its id and the time. */
export type Emit = (event: Omit<NodeEvent, 'node' | 'at'>) => void
