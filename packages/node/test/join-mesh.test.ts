import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fixedMarkup } from '@kvartal/market'
import { identityFromSeed, memoryListenAddress } from '@kvartal/mesh'
import { SimulatedClock, type NodeEvent } from '@kvartal/protocol'
import { epochMs, seedOf, slots, startDistrict, tariffs } from '../../../tests/helpers/nodes.ts'
import { KvartalNode } from '../src/index.ts'

const profile = { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 100 }
// longer than the test may take: a node that waits for its mesh here never starts within the test's timeout
const forever = { joinTimeoutMs: 600_000 }

describe('joining the offer mesh (real libp2p hosts, memory transport)', () => {
  it('a node with no bootstrap peers and no mDNS has nobody to wait for: it trades at once', { timeout: 30_000 }, async () => {
    const d = await startDistrict([profile], { extra: () => forever })
    try {
      expect(d.nodes[0].state).toBe('trading')
    } finally {
      await d.close()
    }
  })

  it('a node with a bootstrap peer waits in joining for its offer mesh, and a stop there ends its start', { timeout: 30_000 }, async () => {
    // its one bootstrap peer never listens: the node has somebody to find, and waits for it (here, for ever)
    const absent = await identityFromSeed(seedOf(99))
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-join-'))
    const events: NodeEvent[] = []
    let started = (): void => {}
    const node = new KvartalNode({
      district: 'test',
      dataDir: join(dir, 'n'),
      transport: 'memory',
      bootstrap: [`${memoryListenAddress(absent)}/p2p/${absent.peerId}`],
      clock: new SimulatedClock(epochMs - 60 * 60_000),
      slots,
      tariffs,
      strategy: fixedMarkup(),
      profile,
      keySeed: seedOf(1),
      journal: { sync: false },
      seed: 1,
      onEvent: e => {
        events.push(e)
        if (e.type === 'started') started()
      },
      ...forever
    })
    const starting = node.start()
    try {
      await new Promise<void>(resolve => {
        started = resolve
        if (events.some(e => e.type === 'started')) resolve()
      })
      // what follows `started` at once: joining, and no further (a node that skipped the wait is trading by now)
      for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve))
      expect(node.state).toBe('joining')
      // stopped while it waits: start() settles (it did not, and `kvartal node` given SIGTERM then exited 13)
      await node.stop()
      await starting
      expect(events.map(e => e.type)).toContain('stopped')
    } finally {
      await node.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
