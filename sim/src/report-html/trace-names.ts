/**
 * The scenario's names of the district's nodes by their key (64-hex public key): a building's id, a
 * vehicle's or operator's name. trace.ndjson carries them next to each key it names.
 */
export type NodeNames = ReadonlyMap<string, string>

/**
 * A trace line with names: `name` after `node` (the node that emitted it) and `peerName` after `peer`
 * (the other party of a negotiation, booking or ride). Every other field is kept as it is, in its place.
 */
export function withNames<T extends object>(e: T, names: NodeNames): T & { name?: string; peerName?: string } {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(e)) {
    out[k] = v
    if (k === 'node' && typeof v === 'string' && names.has(v)) out.name = names.get(v)
    else if (k === 'peer' && typeof v === 'string' && names.has(v)) out.peerName = names.get(v)
  }
  return out as T & { name?: string; peerName?: string }
}
