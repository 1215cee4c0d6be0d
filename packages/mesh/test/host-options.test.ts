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

/** @libp2p/gossipsub's GossipsubHeartbeatInitialDelay (constants.ts; not exported by the package) */
const GOSSIPSUB_HEARTBEAT_INITIAL_DELAY_MS = 100

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
    // A deliberate negative wait: nothing announces a heartbeat that does not happen. gossipsub's start()
    // sets its first heartbeat timer for GossipsubHeartbeatInitialDelay (100 ms); a timer of the same length
    // set after start() has returned fires after it (Node runs timers of one length in the order they were
    // set), and a heartbeat counts its tick synchronously when it begins. So this is the shortest safe wait,
    // and with the timed heartbeat left on, beats() is 1 here (checked by hand when this was written).
    await new Promise(resolve => setTimeout(resolve, GOSSIPSUB_HEARTBEAT_INITIAL_DELAY_MS))
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
      const pair = async (identifyOnConnect: boolean, seeds: [number, number]): Promise<[KvartalHost, KvartalHost]> => {
        const [a, b] = await Promise.all(seeds.map(async s => await host(s, { identifyOnConnect })))
        return [a, b]
      }
      const protocolsOf = async (a: KvartalHost, b: KvartalHost): Promise<string[]> =>
        (await a.peerStore.get(b.peerId).catch(() => ({ protocols: [] }))).protocols
      const [offA, offB] = await pair(false, [26, 27])
      const [onA, onB] = await pair(true, [24, 25])
      let timer: ReturnType<typeof setTimeout> | undefined
      const identified = new Promise<void>((resolve, reject) => {
        onA.addEventListener('peer:identify', () => resolve(), { once: true })
        timer = setTimeout(() => reject(new Error('no peer:identify within 10 s on a connection with identify on connect')), 10_000)
      })
      // A negative check (nothing is emitted for an identify that does not happen), made on an event rather
      // than a fixed timer: the pair without identify-on-connect is dialled first, then a control pair with
      // it. Once the control's identify is done (its 'peer:identify'), the first pair's, begun earlier on
      // the same event loop, would have been done too. (With the first pair's identify on, this fails.)
      await offA.dial(offB.getMultiaddrs()[0])
      await onA.dial(onB.getMultiaddrs()[0])
      try {
        await identified
      } finally {
        clearTimeout(timer)
      }
      expect(await protocolsOf(onA, onB)).toContain('/ipfs/id/1.0.0')
      expect(await protocolsOf(offA, offB)).toEqual([])
    }
  )
})
