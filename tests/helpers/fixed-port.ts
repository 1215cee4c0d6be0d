import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * The lowest port the kernel hands out to outgoing connections (`ip_local_port_range`; 32768 where it cannot be
 * read). A port taken with `listen(0)` lies in that range, so while a node that is to listen on it is not yet
 * started, or is down between a kill and its restart, any outgoing connection on the machine may take it as its
 * local port, and the node then fails with EADDRINUSE (a soak's node did, under load).
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > 2_048 ? low : 32_768
  } catch {
    return 32_768
  }
}

const given = new Set<number>()
/** how many slices the range is cut into: more than vitest's workers (maxWorkers: 4) */
const SLICES = 8

/**
 * A port for a node that must be found where it was after a restart: free on 127.0.0.1 now, not handed out twice
 * by this process, and below the kernel's ephemeral range, so that no outgoing connection can take it.
 */
export async function fixedPort(host = '127.0.0.1'): Promise<number> {
  // each vitest worker (VITEST_POOL_ID 1, 2, …) picks in a slice of its own, so that two workers that find the
  // same port free at the same instant cannot both hand it out; outside vitest, the first slice
  const top = ephemeralLow()
  const bottom = Math.max(1_024, top - 12_000)
  const slice = Math.floor((top - bottom) / SLICES)
  const low = bottom + (Number(process.env.VITEST_POOL_ID ?? 0) % SLICES) * slice
  const high = low + slice
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low))
    if (given.has(port)) continue
    const free = await new Promise<boolean>(resolve => {
      const s = createServer()
      s.once('error', () => {
        resolve(false)
      })
      s.listen(port, host, () => {
        s.close(() => {
          resolve(true)
        })
      })
    })
    if (free) {
      given.add(port)
      return port
    }
  }
  throw new Error(`no free port in ${low}–${high - 1} on ${host}`)
}
