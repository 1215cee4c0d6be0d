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

/**
 * A port for a node that must be found where it was after a restart: free on 127.0.0.1 now, not handed out twice
 * by this process, and below the kernel's ephemeral range, so that no outgoing connection can take it.
 */
export async function fixedPort(host = '127.0.0.1'): Promise<number> {
  const high = ephemeralLow()
  const low = Math.max(1_024, high - 12_000)
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
