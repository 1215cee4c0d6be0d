import { afterEach, describe, expect, it } from 'vitest'
import { createHost, identityFromSeed, type KvartalHost } from '../src/index.ts'

// libp2p 3 keeps its parts in `components` (public on the node, untyped on the Libp2p interface)
type Parts = { components: { connectionMonitor: unknown, upgrader: { inboundUpgradeTimeout: number } } }
const parts = (h: KvartalHost): Parts['components'] => (h as unknown as Parts).components

const hosts: KvartalHost[] = []
afterEach(async () => { await Promise.all(hosts.splice(0).map(async h => { await h.stop() })) })

async function host (seed: number, extra: { connectionMonitor?: boolean, timeoutsMs?: number } = {}): Promise<KvartalHost> {
  const h = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(seed)), district: 'test', transport: 'memory', ...extra })
  hosts.push(h)
  return h
}

describe('a simulation\'s hosts do no real-time work that decides or slows what is simulated (host.ts)', () => {
  it('a real node keeps libp2p\'s connection monitor and its 10 s limits', async () => {
    const h = await host(21)
    expect(String((parts(h).connectionMonitor as { [Symbol.toStringTag]: string })[Symbol.toStringTag])).toBe('@libp2p/connection-monitor')
    expect(parts(h).upgrader.inboundUpgradeTimeout).toBe(10_000)
  })

  it('connectionMonitor: false leaves the monitor out, and timeoutsMs raises libp2p\'s own limits', async () => {
    const h = await host(22, { connectionMonitor: false, timeoutsMs: 120_000 })
    // libp2p's components throw for a part that was never set
    expect(() => parts(h).connectionMonitor).toThrow(/not set/)
    expect(parts(h).upgrader.inboundUpgradeTimeout).toBe(120_000)
  })
})
