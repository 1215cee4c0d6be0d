import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Level } from 'level'
import { generateSeed, toHex } from '@kvartal/protocol'
import { createHost, handleChannels, identityFromSeed, openChannel as openStream, type KvartalHost, type NodeIdentity } from '@kvartal/mesh'
import {
  createChannel,
  encodeRecord,
  openChannel,
  readChannel,
  verifyChain,
  MAX_RECORD_BYTES,
  type Channel,
  type ChannelRecord
} from '@kvartal/channels'
import {
  channelSync,
  ChannelStore,
  ChannelSyncError,
  CHANNEL_SYNC_PROTOCOL,
  encodeSyncRequest,
  levelKeyValue,
  type ChannelSync,
  type ChannelSyncInit
} from '../src/index.ts'

interface Peer {
  identity: NodeIdentity
  host: KvartalHost
  db: Level<string, string>
  store: ChannelStore
  sync: ChannelSync
  dbPath: string
}

let dir: string
const peers: Peer[] = []
const hosts: KvartalHost[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-channel-sync-'))
})
afterEach(async () => {
  await Promise.all([
    ...peers.splice(0).map(async p => {
      await p.host.stop()
      if (p.db.status === 'open') await p.db.close()
    }),
    ...hosts.splice(0).map(async h => {
      await h.stop()
    })
  ])
  await rm(dir, { recursive: true, force: true })
})

async function openDb(path: string): Promise<{ db: Level<string, string>; store: ChannelStore }> {
  const db = new Level<string, string>(path)
  await db.open()
  return { db, store: new ChannelStore(levelKeyValue(db, { sync: false })) }
}

/** a node: real libp2p host on the memory transport, real level database, the sync service started */
async function startPeer(name: string, options: Partial<ChannelSyncInit> = {}): Promise<Peer> {
  const identity = await identityFromSeed(generateSeed())
  const host = await createHost({ identity, district: 'test', transport: 'memory' })
  await host.start()
  const dbPath = join(dir, name)
  const { db, store } = await openDb(dbPath)
  const sync = channelSync({ host, store, ...options })
  await sync.start()
  const peer = { identity, host, db, store, sync, dbPath }
  peers.push(peer)
  return peer
}

/** a host that answers the channel protocol with whatever frames `respond` makes */
async function startImpostor(respond: (request: { channelId: string; fromIndex: number }) => Uint8Array[]): Promise<KvartalHost> {
  const host = await createHost({ identity: await identityFromSeed(generateSeed()), district: 'test', transport: 'memory' })
  await host.start()
  hosts.push(host)
  await handleChannels(
    host,
    CHANNEL_SYNC_PROTOCOL,
    async ch => {
      const req = await ch.receive()
      const channelId = toHex(req.subarray(0, 32))
      const fromIndex = new DataView(req.buffer, req.byteOffset, req.length).getUint32(32)
      for (const frame of respond({ channelId, fromIndex })) await ch.send(frame)
      await ch.send(new Uint8Array(0))
    },
    { maxFrameBytes: MAX_RECORD_BYTES }
  )
  return host
}

/** the owner writes each record to its store before anyone can see it */
async function write(owner: Peer, ch: Channel, make: (ch: Channel) => ChannelRecord): Promise<ChannelRecord> {
  const r = make(ch)
  await owner.store.append(toHex(ch.id), r)
  return r
}

async function newChannel(owner: Peer): Promise<{ ch: Channel; id: string }> {
  const ch = createChannel(owner.identity.seed)
  await owner.store.append(toHex(ch.id), ch.records[0])
  return { ch, id: toHex(ch.id) }
}

async function syncError(p: Promise<unknown>): Promise<ChannelSyncError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelSyncError)
    expect((err as Error).name).toBe('ChannelSyncError')
    return err as ChannelSyncError
  }
  throw new Error('expected a ChannelSyncError')
}

describe('channel replication over libp2p', () => {
  it('a peer pulls and verifies a channel, then only the suffix the owner appended since', async () => {
    const owner = await startPeer('owner')
    const replica = await startPeer('replica')
    const { ch, id } = await newChannel(owner)
    for (let i = 0; i < 3; i++) await write(owner, ch, c => c.append({ n: i }))

    const stranger = await startPeer('stranger')
    const wrong = await syncError(stranger.sync.pull(owner.host.getMultiaddrs(), id, { owner: replica.identity.signer.publicKey }))
    expect(wrong.code).toBe('wrong-owner')
    expect(await stranger.store.channels()).toEqual([])

    const first = await replica.sync.pull(owner.host.getMultiaddrs(), id, { owner: owner.identity.signer.publicKey })
    expect(first).toEqual({ received: 4, tip: { id, owner: owner.identity.id, index: 3, epoch: 0, head: toHex(ch.head) } })
    const held = await replica.store.records(id)
    expect(held).toEqual(ch.records)
    expect(verifyChain(held, owner.identity.signer.publicKey, { head: ch.head })).toEqual({ ok: true })

    await write(owner, ch, c => c.append({ n: 3 }))
    await write(owner, ch, c => c.append({ n: 4 }))
    // connected now: pull by PeerId
    expect(await replica.sync.pull(owner.identity.peerId, id)).toMatchObject({ received: 2, tip: { index: 5, head: toHex(ch.head) } })
    expect(await replica.sync.pull(owner.identity.peerId, id)).toMatchObject({ received: 0, tip: { index: 5 } })
    expect(await replica.store.records(id)).toEqual(ch.records)
    expect(readChannel(await replica.store.records(id), owner.identity.seed).entries.map(e => e.value)).toEqual(
      [0, 1, 2, 3, 4].map(n => ({ n }))
    )
  })

  it('a channel nobody holds answers nothing', async () => {
    const owner = await startPeer('owner')
    const replica = await startPeer('replica')
    const id = toHex(createChannel(generateSeed()).id)
    expect(await replica.sync.pull(owner.host.getMultiaddrs(), id)).toEqual({ received: 0, tip: undefined })
    expect(await replica.store.channels()).toEqual([])
  })

  it('a granted reader decrypts its replica; after revocation it still verifies but cannot read what follows', async () => {
    const owner = await startPeer('owner')
    const reader = await startPeer('reader')
    const { ch, id } = await newChannel(owner)
    await write(owner, ch, c => c.append({ trip: 1 }))
    await write(owner, ch, c => c.grant(reader.identity.signer.publicKey))
    await write(owner, ch, c => c.append({ trip: 2 }))

    await reader.sync.pull(owner.host.getMultiaddrs(), id)
    const before = readChannel(await reader.store.records(id), reader.identity.seed)
    expect(before.chain.ok).toBe(true)
    expect(before.entries.map(e => e.value)).toEqual([{ trip: 1 }, { trip: 2 }])

    await write(owner, ch, c => c.revoke(reader.identity.signer.publicKey))
    await write(owner, ch, c => c.append({ trip: 3 }))
    expect(await reader.sync.pull(owner.identity.peerId, id)).toMatchObject({ received: 2, tip: { index: 5, epoch: 1 } })
    const records = await reader.store.records(id)
    expect(verifyChain(records, owner.identity.signer.publicKey, { head: ch.head })).toEqual({ ok: true })
    const after = readChannel(records, reader.identity.seed)
    expect(after.chain.ok).toBe(true)
    expect(after.entries.map(e => e.value)).toEqual([{ trip: 1 }, { trip: 2 }])
    expect(after.unreadable).toEqual([{ index: 5, epoch: 1 }])
    // the owner still reads everything from the replica
    expect(readChannel(records, owner.identity.seed).entries.map(e => e.value)).toEqual([{ trip: 1 }, { trip: 2 }, { trip: 3 }])
  })

  it('a response with one flipped byte is refused with a typed error and nothing of it is stored', async () => {
    const ownerSeed = generateSeed()
    const ch = createChannel(ownerSeed)
    for (let i = 0; i < 4; i++) ch.append({ n: i })
    const id = toHex(ch.id)
    const frames = ch.records.map(encodeRecord)
    const evil = await startImpostor(({ fromIndex }) =>
      frames.slice(fromIndex).map((f, i) => {
        if (fromIndex + i !== 3) return f
        const copy = f.slice()
        copy[copy.length - 70] ^= 0x01 // inside the ciphertext
        return copy
      })
    )
    const replica = await startPeer('replica')

    const err = await syncError(replica.sync.pull(evil.getMultiaddrs(), id))
    expect(err.code).toBe('invalid')
    expect((err.cause as Error).name).toBe('ChannelStoreError')
    expect(err.cause).toMatchObject({ code: 'invalid', problem: 'bad-signature', index: 3 })
    expect(await replica.store.tip(id)).toBeUndefined()
    expect(await replica.store.records(id)).toEqual([])

    // with a verified prefix held, the tampered suffix is refused and the prefix stays as it was
    await replica.store.ingest(ch.records.slice(0, 2))
    expect(await syncError(replica.sync.pull(evil.getMultiaddrs(), id))).toMatchObject({ code: 'invalid' })
    expect(await replica.store.records(id)).toEqual(ch.records.slice(0, 2))
  })

  it('records of another channel, or not from the index asked, or another history are refused', async () => {
    const ownerSeed = generateSeed()
    const ch = createChannel(ownerSeed)
    ch.append({ n: 0 })
    ch.append({ n: 1 })
    const id = toHex(ch.id)
    const otherChannel = createChannel(ownerSeed)
    otherChannel.append({ x: 1 })
    const fork = openChannel(ownerSeed, ch.records.slice(0, 2))
    fork.append({ forked: true })
    fork.append({ forked: 2 })

    const replica = await startPeer('replica')
    const wrongChannel = await startImpostor(() => otherChannel.records.map(encodeRecord))
    expect(await syncError(replica.sync.pull(wrongChannel.getMultiaddrs(), id))).toMatchObject({ code: 'unexpected' })
    const wrongIndex = await startImpostor(() => ch.records.slice(1).map(encodeRecord))
    expect(await syncError(replica.sync.pull(wrongIndex.getMultiaddrs(), id))).toMatchObject({ code: 'unexpected' })
    const garbage = await startImpostor(() => [new Uint8Array(300).fill(9)])
    expect(await syncError(replica.sync.pull(garbage.getMultiaddrs(), id))).toMatchObject({ code: 'malformed' })
    expect(await replica.store.channels()).toEqual([])

    await replica.store.ingest(ch.records)
    const forker = await startImpostor(({ fromIndex }) => fork.records.slice(fromIndex).map(encodeRecord))
    const err = await syncError(replica.sync.pull(forker.getMultiaddrs(), id))
    expect(err).toMatchObject({ code: 'fork' })
    expect(err.cause).toMatchObject({ code: 'fork', problem: 'bad-link', index: 3 })
    expect(await replica.store.records(id)).toEqual(ch.records)
  })

  it('keeps within its limits: a pull takes several bounded rounds, also from a peer with larger ones', async () => {
    const owner = await startPeer('owner', { maxRecordsPerRequest: 256 })
    const small = await startPeer('small', { maxRecordsPerRequest: 3 })
    const { ch, id } = await newChannel(owner)
    for (let i = 0; i < 10; i++) await write(owner, ch, c => c.append({ n: i }))
    expect(await small.sync.pull(owner.host.getMultiaddrs(), id)).toMatchObject({ received: 11, tip: { index: 10, head: toHex(ch.head) } })
    // and serves at most 3 per response: a third node still gets everything
    const third = await startPeer('third')
    expect(await third.sync.pull(small.host.getMultiaddrs(), id)).toMatchObject({ received: 11, tip: { index: 10 } })
    expect(await third.store.records(id)).toEqual(ch.records)
    // a byte budget below one record still takes one record per round
    const tiny = await startPeer('tiny', { maxResponseBytes: 1 })
    expect(await tiny.sync.pull(owner.host.getMultiaddrs(), id)).toMatchObject({ received: 11, tip: { index: 10 } })
    expect(() => channelSync({ host: owner.host, store: owner.store, maxRecordsPerRequest: 0 })).toThrow(
      expect.objectContaining({ name: 'ConfigError' })
    )
  })

  it('a malformed request is refused by resetting the stream; the responder keeps serving', async () => {
    const owner = await startPeer('owner')
    const { ch, id } = await newChannel(owner)
    const client = await startPeer('client')
    const stream = await openStream(client.host, owner.host.getMultiaddrs(), CHANNEL_SYNC_PROTOCOL)
    await stream.send(new Uint8Array([1, 2, 3]))
    await expect(stream.receive()).rejects.toThrow()
    const ok = await openStream(client.host, owner.identity.peerId, CHANNEL_SYNC_PROTOCOL, { maxFrameBytes: MAX_RECORD_BYTES })
    await ok.send(encodeSyncRequest(id, 0))
    expect(await ok.receive()).toEqual(encodeRecord(ch.records[0]))
    expect((await ok.receive()).length).toBe(0)
    await ok.close()
  })

  it('a replica survives a restart and serves the channel on while the owner is gone', async () => {
    const owner = await startPeer('owner')
    const replica = await startPeer('replica')
    const reader = await startPeer('reader')
    const { ch, id } = await newChannel(owner)
    await write(owner, ch, c => c.grant(reader.identity.signer.publicKey))
    await write(owner, ch, c => c.append({ kept: true }))
    await replica.sync.pull(owner.host.getMultiaddrs(), id)
    await owner.host.stop()

    await replica.db.close()
    const reopened = await openDb(replica.dbPath)
    replica.db = reopened.db
    replica.store = reopened.store
    expect(await reopened.store.tip(id)).toMatchObject({ index: 2, head: toHex(ch.head) })
    await replica.sync.stop()
    replica.sync = channelSync({ host: replica.host, store: reopened.store })
    await replica.sync.start()

    expect(await reader.sync.pull(replica.host.getMultiaddrs(), id)).toMatchObject({ received: 3, tip: { index: 2, head: toHex(ch.head) } })
    expect(readChannel(await reader.store.records(id), reader.identity.seed).entries.map(e => e.value)).toEqual([{ kept: true }])
  })
})
