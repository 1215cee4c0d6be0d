import type { NodeEvent } from '@kvartal/protocol'

type Traced = NodeEvent & { name?: string; peerName?: string }

/**
 * One trade's (or one booking's) events across both peers, in causal order. Starts from the events
 * whose correlation (a negotiation id, a trade id or a package id) or id is `key`, and takes every event
 * linked to them by `parent`, either way: the proposal, the seller's answers, both commits, the
 * buyer's outcome. Order: a parent before its children, otherwise as the trace has them.
 */
export function followChain(events: readonly Traced[], key: string): Traced[] {
  const byId = new Map<string, number>()
  const children = new Map<string, number[]>()
  events.forEach((e, i) => {
    if (e.id != null) byId.set(e.id, i)
    if (e.parent != null) {
      const c = children.get(e.parent) ?? []
      c.push(i)
      children.set(e.parent, c)
    }
  })
  const picked = new Set<number>()
  const todo: number[] = []
  events.forEach((e, i) => {
    if (e.correlation === key || e.id === key) todo.push(i)
  })
  while (todo.length > 0) {
    const i = todo.pop()!
    if (picked.has(i)) continue
    picked.add(i)
    const e = events[i]
    if (e.parent != null && byId.has(e.parent)) todo.push(byId.get(e.parent)!)
    if (e.id != null) todo.push(...(children.get(e.id) ?? []))
  }
  // a depth-first walk from the roots, children in trace order: causal whatever order the processes wrote them in
  const out: Traced[] = []
  const placed = new Set<number>()
  const visit = (i: number): void => {
    if (placed.has(i)) return
    placed.add(i)
    out.push(events[i])
    const id = events[i].id
    if (id != null) for (const c of children.get(id) ?? []) if (picked.has(c)) visit(c)
  }
  const sorted = [...picked].sort((a, b) => a - b)
  for (const i of sorted) {
    const p = events[i].parent
    if (p == null || !byId.has(p) || !picked.has(byId.get(p)!)) visit(i)
  }
  return out
}

/** One line per event of a chain: time, node, step, and what it says. */
export function chainLines(chain: readonly Traced[]): string[] {
  const width = Math.max(0, ...chain.map(e => (e.name ?? e.node.slice(0, 8)).length))
  return chain.map(e => {
    const who = (e.name ?? e.node.slice(0, 8)).padEnd(width)
    const facts = [
      e.detail === 'seller' || e.detail === 'buyer' ? `(${e.detail})` : '',
      e.peer != null ? `with ${e.peerName ?? e.peer.slice(0, 8)}` : '',
      e.slot != null ? `slot ${e.slot}` : '',
      e.energyWh != null ? `${e.energyWh} Wh` : '',
      e.price != null ? `at ${e.price} nanos/kWh` : '',
      e.outcome != null ? `outcome ${e.outcome}` : '',
      e.code != null ? `code ${e.code}` : '',
      e.latencyMs != null ? `${e.latencyMs.toFixed(2)} ms` : ''
    ]
      .filter(x => x !== '')
      .join(', ')
    return (
      `${new Date(e.at).toISOString()}  ${who}  ${e.type.padEnd(20)} ` +
      `${facts}  [${e.id ?? '-'}${e.parent != null ? ` ← ${e.parent}` : ''}]`
    )
  })
}
