/**
 * A refusal's referrals between real nodes (packages/node/src/referrals.ts): a seller of another feeder, refusing a
 * buyer at the slot's last call for want of energy, names a seller of its feeder that still has some, and the buyer
 * buys there, from a seller no digest ever showed it. The nodes gossip on a simulator's process bus; the one digest
 * the buyer hears is signed and published by the test, as a relay of the buyer's feeder. Then a seller that refers
 * the buyer to itself, or to another slot: the buyer takes none of it and passes the seller over.
 */
import { describe, expect, it } from 'vitest'
import { NEGOTIATION_PROTOCOL, feederDigestTopic, open, seal, toHex, type Digest, type DigestEntry, type Proposal } from '@kvartal/protocol'
import { ProcessGossip, createHost, handleChannels, identityFromSeed } from '@kvartal/mesh'
import type { GridOptions, KvartalNode } from '@kvartal/node'
import { startDistrict, epochMs, type TestDistrict } from './helpers/nodes.ts'
import { startAttacker, type Attacker } from './helpers/hostile.ts'

const fees = { local: 50_000_000, district: 150_000_000 }
const tickMs = (15 * 60_000) / 4
const only0 = (wh: number) => (s: number) => (s === 0 ? wh : 0)
// slot 0 on f1: A sells 100 Wh (the cheaper), B 600 Wh, D buys 100 Wh; on f2, C buys 300 Wh. Nobody relays.
const profiles = [
  { buyLimit: 900_000_000, sellLimit: 300_000_000, position: only0(100) },
  { buyLimit: 900_000_000, sellLimit: 350_000_000, position: only0(600) },
  { buyLimit: 900_000_000, sellLimit: 350_000_000, position: only0(-100) },
  { buyLimit: 900_000_000, sellLimit: 350_000_000, position: only0(-300) }
]
const grids: GridOptions[] = [
  { feeder: 'f1', fees },
  { feeder: 'f1', fees },
  { feeder: 'f1', fees },
  { feeder: 'f2', fees }
]
const boughtFrom = async (n: KvartalNode, seller: string): Promise<number> =>
  (await n.trades())
    .filter(t => t.role === 'buyer' && t.status === 'committed' && toHex(t.decoded.terms.seller) === seller)
    .reduce((a, t) => a + t.decoded.terms.energyWh, 0)

/**
 * The district above on a process bus, run to the tick before slot 0's last call; then `relayed` is listed to f2's
 * buyer C in a digest signed by a relay of f2 (the test), as a relay would list an offer it heard before it sold.
 */
async function lastCallWith(
  relayed: (d: TestDistrict) => Promise<{ trader: Uint8Array; addrs: Uint8Array[] }>,
  run: (d: TestDistrict) => Promise<void>
): Promise<void> {
  const bus = new ProcessGossip()
  const d = await startDistrict(profiles, { extra: i => ({ grid: grids[i], processGossip: bus }) })
  const relay = await identityFromSeed(new Uint8Array(32).fill(81))
  const host = await createHost({ identity: relay, district: 'test', transport: 'memory', listen: [] })
  try {
    await d.runUntil(epochMs - 2 * tickMs)
    const now = d.clock.now()
    // A's ask (fixedMarkup: its limit and a tenth of the way to retail)
    const entry: DigestEntry = { ...(await relayed(d)), feeder: 'f1', slot: 0, energyWh: 100, price: 370_000_000 }
    const digest: Digest = {
      version: 1,
      district: 'test',
      relay: relay.signer.publicKey,
      feeder: 'f2',
      seq: 1,
      issuedAt: now,
      validUntil: now + 3_600_000,
      entries: [entry]
    }
    const c = d.nodes[3]
    const heard = d.waitFor('announcement-received', e => e.node === c.id && e.detail === 'digest:feeder')
    await bus.port(host.services.pubsub, relay.peerId).publish(feederDigestTopic('test', 'f2'), seal('digest', digest, relay.signer))
    await heard
    expect(c.book.forSlot('offer', 0, d.clock.now()).map(o => o.trader)).toEqual([toHex(entry.trader)])
    await run(d)
  } finally {
    await host.stop()
    await d.close()
  }
}

describe('a refusal refers the buyer to a seller that still has energy', () => {
  it("at the last call, C of f2 is refused by A of f1, sold out, and buys from A's neighbour B, whom it never heard of", async () => {
    await lastCallWith(
      async d => ({ trader: d.nodes[0].identity.signer.publicKey, addrs: d.nodes[0].host.getMultiaddrs().map(m => m.bytes) }),
      async d => {
        const [a, b, dd, c] = d.nodes
        // D bought A's 100 Wh on the first ticks; C heard of nobody (f2 has no relay) until the digest
        expect(await boughtFrom(dd, a.id)).toBe(100)
        await d.runUntil(epochMs)
        const refusal = d.events.find(e => e.type === 'rejected' && e.node === a.id && e.peer === c.id)
        expect(refusal).toMatchObject({ code: 'no-capacity', detail: 'referred 1' })
        expect(await boughtFrom(c, b.id)).toBe(300)
        // what results.json adds up: C met one refusal, for want of energy, and it named one seller
        expect(c.stats.refusals).toEqual({ 'no-capacity': 1 })
        expect(c.stats.referrals).toEqual({ refusals: 1, sellers: 1 })
        // and the trace says it, for kvartal replay
        const ended = d.events.find(e => e.type === 'negotiation-ended' && e.node === c.id && e.peer === a.id)
        expect(ended).toMatchObject({ outcome: 'rejected', code: 'no-capacity', detail: 'referred 1' })
        const across = (await c.trades()).filter(t => t.role === 'buyer' && t.status === 'committed')
        expect(across.every(t => t.decoded.terms.gridFee === fees.district && t.decoded.terms.sellerFeeder === 'f1')).toBe(true)
      }
    )
  })

  it('a seller whose referrals name itself is passed over, and none of them is taken, not even a good one', async () => {
    let m: Attacker | undefined
    const answered: string[] = []
    try {
      await lastCallWith(
        async d => {
          // a host on the memory transport, listed to C like A: it answers every proposal with a refusal that refers
          // C to B, which has energy, and to itself, which a referral may not name
          const attacker = await startAttacker(82, [d.nodes[3]])
          m = attacker
          await handleChannels(attacker.host, NEGOTIATION_PROTOCOL, async ch => {
            const p = open(await ch.receive(), { maxBytes: 4096, kinds: ['proposal'] }).message as Proposal
            answered.push(toHex(p.buyer))
            const to = (trader: Uint8Array, addrs: Uint8Array[]): DigestEntry => ({
              trader,
              feeder: 'f1',
              slot: p.slot,
              energyWh: 600,
              price: 400_000_000,
              addrs
            })
            const referrals = [
              to(
                d.nodes[1].identity.signer.publicKey,
                d.nodes[1].host.getMultiaddrs().map(a => a.bytes)
              ),
              to(
                attacker.identity.signer.publicKey,
                attacker.host.getMultiaddrs().map(a => a.bytes)
              )
            ]
            const refusal = { negotiation: p.id, code: 'no-capacity', detail: 'available=0', referrals }
            await ch.send(seal('reject', refusal, attacker.identity.signer))
          })
          return { trader: attacker.identity.signer.publicKey, addrs: attacker.host.getMultiaddrs().map(a => a.bytes) }
        },
        async d => {
          const c = d.nodes[3]
          await d.runUntil(epochMs)
          // one proposal: the forged referral has the buyer pass the attacker over, and take neither entry, not even B
          expect(answered).toEqual([c.id])
          const failed = d.events.filter(e => e.type === 'negotiation-failed' && e.node === c.id && e.peer === m?.identity.id)
          expect(failed.map(e => e.code)).toEqual(['bad-referral'])
          expect(await boughtFrom(c, d.nodes[1].id)).toBe(0)
          expect(c.book.forSlot('offer', 0, d.clock.now())).toEqual([])
          // a forged refusal's referrals are not counted as taken
          expect(c.stats.referrals).toEqual({ refusals: 0, sellers: 0 })
        }
      )
    } finally {
      await m?.stop()
    }
  })
})
