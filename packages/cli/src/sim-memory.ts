/**
 * Memory settings of a process that simulates a district: every node of it in one process, allocating
 * at the rate of dozens of nodes (issue 9). bin/kvartal.ts applies them to `kvartal sim`, and the
 * simulation benchmarks to their children, so that they measure what `kvartal sim` does. None of them
 * changes a result: the figures do not depend on when the GC runs or where a Buffer's bytes live.
 *
 * V8's defaults size the heap for throughput. Measured on the default day (36 nodes, 96 slots): what
 * survives a full GC is 90–110 MB, yet the heap grew to 500 MB —
 *  - the young generation grew to 64 MiB semi-spaces, 128 MiB in all; with 16 MiB semi-spaces it is
 *    32 MiB (more, shorter scavenges: about the same GC time);
 *  - between full GCs V8 let the old generation grow to 3.6 × what survived (92 MB live, the next GC at
 *    330 MB): it picks up to 4 × on a machine with memory to spare and a fast GC;
 *    `--heap-growing-percent=75` holds it to 1.75 ×.
 * Peak RSS of `kvartal sim` (with the Buffer slabs below and the nodes' own fixes), default day:
 * 688–767 MiB → 354–368 MiB. CPU the same within the noise of a shared 2-core machine. The factor is a
 * trade: at 2 × peaks were 366–386 MiB, at 1.5 × 325–355 MiB but the CPU of energy-only runs 5–10 %
 * higher (more concurrent marking). A user's own value of either flag on node's command line (and of
 * the semi-space in NODE_OPTIONS, which refuses the other) is kept.
 */
export const simHeapFlags: readonly string[] = ['--max-semi-space-size=16', '--heap-growing-percent=75']

/**
 * The flags of `simHeapFlags` this process does not run with: neither set by us nor by the user (on the command line or
 * in NODE_OPTIONS).
 */
export function missingHeapFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map(a => a.replace(/_/g, '-'))
  return simHeapFlags.filter(f => !given.some(a => a.startsWith(f.split('=')[0])))
}

/**
 * Replaces this process with the same command under the flags it lacks (V8 reads them only at start),
 * unless the platform cannot (`process.execve`: not on Windows); a user's own value of a flag is kept.
 * The same process id, stdio and signals: nothing changes for whoever started it.
 */
export function execWithHeapFlags(): void {
  const missing = missingHeapFlags()
  if (missing.length === 0 || typeof process.execve !== 'function' || process.platform === 'win32') return
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], process.env)
}

/**
 * Node's allocation pool for small Buffers, bytes. On Node 24 it is 64 KiB: every small Buffer (an
 * encoded message, a peer id, an address) is a view into a shared 64 KiB slab, and one such view kept
 * keeps the whole slab. libp2p keeps a few per connection (a peer's id and addresses, its peer-store
 * record) for as long as the connection lives: about 0.4 slabs per connection end, 25 MB at 100
 * buildings after eight slots. With 8 KiB slabs (Node's long-standing default): peak RSS 449 / 426 MiB →
 * 415 / 409 MiB at 100 buildings, 379 → 363 MiB on the default day. What a node keeps of its own
 * messages owns its bytes anyway (framed-channel.ts, gossip-router.ts, topic-sync.ts).
 */
export const simBufferPoolSize = 8 * 1024

/** Makes this process's small Buffers come from slabs of `simBufferPoolSize`; the current slab is used up first. */
export function useSimBufferPool(): void {
  Buffer.poolSize = simBufferPoolSize
}
