import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { x25519PublicOf } from '@kvartal/channels'
import { fromHex, toHex } from '@kvartal/protocol'
import { peerIdOfTrader, traderOfPeer } from '@kvartal/mesh'
import type { KvartalNode, MobilityRuntime } from '@kvartal/node'
import { ApiError } from './api-error.ts'
import type { Route } from './control-server.ts'
import { channelRefOf, peerRefOf, readerKeyOf } from './journey-input.ts'
import { bodyOf } from './api-body.ts'
import { pullBodySchema, readerBodySchema } from './schemas/api-body-schemas.ts'

function mobilityOf(node: KvartalNode): MobilityRuntime {
  if (node.mobility == null)
    throw new ApiError(
      409,
      'no-mobility',
      'this node has no mobility section in its config, so it holds no channels: add `mobility:` and restart it'
    )
  return node.mobility
}

/** A reader as the channel lists it (an X25519 key), with the node it belongs to when this node knows it. */
export interface ReaderView {
  readonly x25519: string
  readonly node?: string
}

/**
 * GET /channels, GET /channels/:id (or :name), POST /channels/:name/grant, POST /channels/:name/revoke,
 * POST /channels/pull. A channel lists its readers as X25519 keys (that is what the chain holds); this
 * node names the node behind one when it was granted through this API or is a connected peer.
 */
export function channelRoutes(node: KvartalNode): Route[] {
  const granted = new Map<string, string>()
  const nodeOfReader = (): Map<string, string> => {
    const out = new Map(granted)
    for (const p of node.host.getPeers()) {
      const t = traderOfPeer(p)
      if (t != null)
        try {
          out.set(toHex(x25519PublicOf(t)), toHex(t))
        } catch {}
    }
    return out
  }
  const readers = (list: readonly Uint8Array[]): ReaderView[] => {
    const known = nodeOfReader()
    return list.map(x => {
      const h = toHex(x)
      const n = known.get(h)
      return { x25519: h, ...(n != null ? { node: n } : {}) }
    })
  }
  const names = async (m: MobilityRuntime): Promise<Map<string, string>> => new Map(await m.trips.names())
  const ownNamed = async (m: MobilityRuntime, name: string): Promise<string> => {
    const all = await names(m)
    const id = all.get(name)
    if (id == null)
      throw new ApiError(
        404,
        'unknown-channel',
        `this node has no channel named ${name} (its channels: ` +
          `${[...all.keys()].join(', ') || 'none yet: they are created by the first trip record'})`
      )
    return id
  }
  const grantOrRevoke = (verb: 'grant' | 'revoke'): Route => ({
    method: 'POST',
    path: `/channels/:name/${verb}`,
    async handle(params, body) {
      const m = mobilityOf(node)
      const name = channelRefOf(params.name, 'name')
      const id = await ownNamed(m, name)
      const reader = readerKeyOf(bodyOf(readerBodySchema, body).reader, 'reader')
      const index = verb === 'grant' ? await m.trips.grant(name, reader) : await m.trips.revoke(name, reader)
      if (verb === 'grant') granted.set(toHex(x25519PublicOf(reader)), toHex(reader))
      const ch = await m.trips.channel(name)
      return { channel: id, name, record: index, epoch: ch.epoch, readers: readers(ch.readers) }
    }
  })
  return [
    {
      method: 'GET',
      path: '/channels',
      async handle() {
        const m = mobilityOf(node)
        const byId = new Map([...(await names(m))].map(([n, id]) => [id, n]))
        const out = []
        for (const c of await m.channels.channels()) {
          const name = byId.get(c.id)
          const own = c.owner === node.id
          const ch = own && name != null ? await m.trips.channel(name) : undefined
          out.push({
            id: c.id,
            ...(name != null ? { name } : {}),
            own,
            owner: c.owner,
            records: c.index + 1,
            epoch: c.epoch,
            head: c.head,
            ...(ch != null ? { readers: readers(ch.readers) } : {})
          })
        }
        return { channels: out }
      }
    },
    {
      method: 'GET',
      path: '/channels/:ref',
      async handle(params) {
        const m = mobilityOf(node)
        const ref = channelRefOf(params.ref, 'channel')
        const id = /^[0-9a-f]{64}$/.test(ref) ? ref : await ownNamed(m, ref)
        const tip = await m.channels.tip(id)
        if (tip == null)
          throw new ApiError(
            404,
            'unknown-channel',
            `this node holds no channel ${id}: pull it from a node that has it (POST /channels/pull)`
          )
        const name = [...(await names(m))].find(([, x]) => x === id)?.[0]
        const r = await m.trips.read(id)
        return {
          channel: id,
          ...(name != null ? { name } : {}),
          owner: tip.owner,
          records: tip.index + 1,
          head: tip.head,
          chain: {
            ok: r.chain.ok,
            ...(r.chain.problem != null ? { problem: r.chain.problem } : {}),
            ...(r.chain.message != null ? { message: r.chain.message } : {}),
            ...(r.chain.index != null ? { index: r.chain.index } : {})
          },
          epochs: [...r.epochs],
          entries: r.entries.map(e => ({
            index: e.index,
            epoch: e.epoch,
            value: e.value instanceof Uint8Array ? { bytes: toHex(e.value) } : e.value
          })),
          unreadable: r.unreadable.map(u => ({ index: u.index, epoch: u.epoch }))
        }
      }
    },
    grantOrRevoke('grant'),
    grantOrRevoke('revoke'),
    {
      method: 'POST',
      path: '/channels/pull',
      async handle(_, body) {
        const m = mobilityOf(node)
        const b = bodyOf(pullBodySchema, body)
        const ref = peerRefOf(b.peer, 'peer')
        const channel = channelRefOf(b.channel, 'channel')
        if (!/^[0-9a-f]{64}$/.test(channel)) throw ApiError.field('channel', 'must be the id of the channel to pull (64 hex digits)')
        let peer: Parameters<MobilityRuntime['sync']['pull']>[0]
        try {
          peer = ref.startsWith('/')
            ? [multiaddr(ref)]
            : /^[0-9a-fA-F]{64}$/.test(ref)
              ? peerIdOfTrader(fromHex(ref.toLowerCase()))
              : peerIdFromString(ref)
        } catch (err) {
          throw ApiError.field('peer', `${ref.slice(0, 120)} is not a multiaddr, peer id or node key: ${(err as Error).message}`)
        }
        const out = await m.sync.pull(peer, channel, { signal: AbortSignal.timeout(30_000) })
        if (out.tip == null)
          throw new ApiError(404, 'unknown-channel', `neither this node nor ${ref.slice(0, 120)} holds channel ${channel}`)
        return { channel, received: out.received, records: out.tip.index + 1, owner: out.tip.owner, head: out.tip.head }
      }
    }
  ]
}
