import { afterEach, describe, expect, it } from 'vitest'
import { createHost, gossipHeartbeat, identityFromSeed, type KvartalHost } from '../src/index.ts'

// libp2p 3 keeps its parts in `components` (public on the node, untyped on the Libp2p interface)
type Parts = {
  components: {
    connectionMonitor: unknown
    upgrader: { inboundUpgradeTimeout: number; streamMuxers: Map<string, { _init: { enableKeepAlive?: boolean } }> }
  }
}
const yamuxInit = (h: KvartalHost): { enableKeepAlive?: boolean } => parts(h).upgrader.streamMuxers.get('/yamux/1.0.0')!._init
const parts = (h: KvartalHost): Parts['components'] => (h as unknown as Parts).components

const hosts: KvartalHost[] = []
afterEach(async () => {
  await Promise.all(
    hosts.splice(0).map(async h => {
      await h.stop()
    })
  )
})

async function host(
  seed: number,
  extra: { connectionMonitor?: boolean; timeoutsMs?: number; manualHeartbeat?: boolean; identifyOnConnect?: boolean } = {}
): Promise<KvartalHost> {
  const h = await createHost({
    identity: await identityFromSeed(new Uint8Array(32).fill(seed)),
    district: 'test',
    transport: 'memory',
    ...extra
  })
  hosts.push(h)
  return h
}

describe("a simulation's hosts do no real-time work that decides or slows what is simulated (host.ts)", () => {
  it("a real node keeps libp2p's connection monitor and its 10 s limits", async () => {
    const h = await host(21)
    expect(String((parts(h).connectionMonitor as { [Symbol.toStringTag]: string })[Symbol.toStringTag])).toBe('@libp2p/connection-monitor')
    expect(parts(h).upgrader.inboundUpgradeTimeout).toBe(10_000)
    // yamux's keep-alive is on unless turned off (its default)
    expect(yamuxInit(h).enableKeepAlive).toBeUndefined()
  })

  it("connectionMonitor: false leaves the monitor and yamux's keep-alive out, and timeoutsMs raises libp2p's own limits", async () => {
    const h = await host(22, { connectionMonitor: false, timeoutsMs: 120_000 })
    // libp2p's components throw for a part that was never set
    expect(() => parts(h).connectionMonitor).toThrow(/not set/)
    expect(parts(h).upgrader.inboundUpgradeTimeout).toBe(120_000)
    // and yamux pings no connection either
    expect(yamuxInit(h).enableKeepAlive).toBe(false)
  })

  it('manualHeartbeat: gossipsub beats only when told to, and a stopped host leaves no timer behind', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter(r => r === 'Timeout').length
    const before = timers()
    const h = await host(23, { manualHeartbeat: true })
    const beats = (): number => (h.services.pubsub as unknown as { heartbeatTicks: number }).heartbeatTicks
    // gossipsub's first timed heartbeat comes 100 ms after start: wait past it on a timer of our own
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(beats()).toBe(0)
    await gossipHeartbeat(h)
    await gossipHeartbeat(h)
    expect(beats()).toBe(2)
    await h.stop()
    hosts.splice(hosts.indexOf(h), 1)
    // (gossipsub's stop() does not clear a pending heartbeat timer: with a long interval instead of
    // none, every stopped simulation stayed alive until it fired)
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it(
    "identifyOnConnect: false leaves out identify's exchange on a " + "new connection; by default both ends learn the other's protocols",
    async () => {
      const protocolsSeen = async (identifyOnConnect: boolean, seeds: [number, number]): Promise<string[]> => {
        const [a, b] = await Promise.all(seeds.map(async s => await host(s, { identifyOnConnect })))
        const identified = new Promise<void>(resolve => {
          a.addEventListener(
            'peer:identify',
            () => {
              resolve()
            },
            { once: true }
          )
        })
        await a.dial(b.getMultiaddrs()[0])
        // a connection's identify is done, or would have been, once a protocol stream has opened both ways
        await Promise.race([identified, new Promise(resolve => setTimeout(resolve, 500))])
        return (await a.peerStore.get(b.peerId).catch(() => ({ protocols: [] }))).protocols
      }
      expect(await protocolsSeen(true, [24, 25])).toContain('/ipfs/id/1.0.0')
      expect(await protocolsSeen(false, [26, 27])).toEqual([])
    }
  )
})
