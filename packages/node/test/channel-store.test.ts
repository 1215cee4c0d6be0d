import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Level } from 'level'
import { generateSeed, signerFromSeed, toHex } from '@kvartal/protocol'
import { createChannel, openChannel, readChannel, recordHash, verifyChain, type ChannelRecord } from '@kvartal/channels'
import { ChannelStore, ChannelStoreError, levelKeyValue } from '../src/index.ts'

let dir: string
const open: Array<Level<string, string>> = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-channels-'))
})
afterEach(async () => {
  await Promise.all(
    open.splice(0).map(async db => {
      if (db.status === 'open') await db.close()
    })
  )
  await rm(dir, { recursive: true, force: true })
})

async function openStore(name = 'db'): Promise<{ db: Level<string, string>; store: ChannelStore }> {
  const db = new Level<string, string>(join(dir, name))
  await db.open()
  open.push(db)
  return { db, store: new ChannelStore(levelKeyValue(db, { sync: false })) }
}

function party() {
  const seed = generateSeed()
  return { seed, publicKey: signerFromSeed(seed).publicKey }
}

async function refusal(p: Promise<unknown>): Promise<ChannelStoreError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelStoreError)
    expect((err as Error).name).toBe('ChannelStoreError')
    return err as ChannelStoreError
  }
  throw new Error('expected a ChannelStoreError')
}

/** an owner writing a channel record by record into its store, as a node does (write before send) */
async function ownerWrites(store: ChannelStore, seed: Uint8Array, count: number) {
  const ch = createChannel(seed)
  const id = toHex(ch.id)
  await store.append(id, ch.records[0])
  for (let i = 0; i < count; i++) await store.append(id, ch.append({ n: i }))
  return { ch, id }
}

describe('levelKeyValue', () => {
  it("adapts a level database, also one whose default value encoding is JSON (a journal's)", async () => {
    const db = new Level<string, unknown>(join(dir, 'json'), { valueEncoding: 'json' })
    await db.open()
    try {
      const kv = levelKeyValue(db, { sync: false })
      await kv.put('a/1', 'one')
      await kv.batch([
        { type: 'put', key: 'a/2', value: 'two' },
        { type: 'put', key: 'a/3', value: 'three' },
        { type: 'put', key: 'b/1', value: 'other' }
      ])
      await kv.batch([{ type: 'del', key: 'a/3' }])
      expect(await kv.get('a/1')).toBe('one')
      expect(await kv.get('a/3')).toBeUndefined()
      const all: Array<readonly [string, string]> = []
      for await (const e of kv.iterate('a/')) all.push(e)
      expect(all).toEqual([
        ['a/1', 'one'],
        ['a/2', 'two']
      ])
      const some: Array<readonly [string, string]> = []
      for await (const e of kv.iterate('a/', { from: '2', limit: 5 })) some.push(e)
      expect(some).toEqual([['a/2', 'two']])
    } finally {
      await db.close()
    }
  })
})

describe("ChannelStore: the owner's appends", () => {
  it('stores each next record, reports tip, records, channels and heads', async () => {
    const { store } = await openStore()
    const owner = party()
    const { ch, id } = await ownerWrites(store, owner.seed, 3)
    expect(await store.tip(id)).toEqual({ id, owner: toHex(owner.publicKey), index: 3, epoch: 0, head: toHex(ch.head) })
    const records = await store.records(id)
    expect(records).toEqual(ch.records)
    expect(verifyChain(records, owner.publicKey, { head: ch.head })).toEqual({ ok: true })
    expect((await store.records(id, 2)).map(r => r.index)).toEqual([2, 3])
    expect((await store.records(id, 1, 2)).map(r => r.index)).toEqual([1, 2])
    expect(await store.records(id, 9)).toEqual([])
    expect(await store.channels()).toEqual([{ id, owner: toHex(owner.publicKey), index: 3, epoch: 0, head: toHex(ch.head) }])
    expect(await store.heads()).toEqual([{ id, index: 3, head: toHex(ch.head) }])
  })

  it("the same record again is a no-op; a gap, a fork, another channel's or a forged record is refused", async () => {
    const { store } = await openStore()
    const owner = party()
    const { ch, id } = await ownerWrites(store, owner.seed, 2)
    const tip = await store.tip(id)
    expect(await store.append(id, ch.records[1])).toEqual({ stored: 0, tip })
    expect(await store.append(id.toUpperCase(), ch.records[2])).toEqual({ stored: 0, tip })

    // two handles on the same history write two different record 3s: the second is a fork
    const other = openChannel(owner.seed, ch.records)
    await store.append(id, ch.append({ n: 'a' }))
    const forked = other.append({ n: 'b' })
    expect(await refusal(store.append(id, forked))).toMatchObject({ code: 'fork', index: 3 })
    // the fork's continuation does not link to the stored head
    expect(await refusal(store.append(id, other.append({ n: 'c' })))).toMatchObject({ code: 'fork', index: 4 })

    const ahead = openChannel(owner.seed, ch.records)
    ahead.append({ skip: 1 })
    expect(await refusal(store.append(id, ahead.append({ skip: 2 })))).toMatchObject({ code: 'not-next', index: 5 })

    const elsewhere = createChannel(owner.seed)
    expect(await refusal(store.append(id, elsewhere.records[0]))).toMatchObject({ code: 'wrong-channel' })
    expect(await refusal(store.append('beef', ch.records[0]))).toMatchObject({ code: 'bad-id' })

    const next = ch.append({ n: 'edited' })
    const body = next.body.slice()
    body[0] ^= 1
    expect(await refusal(store.append(id, { ...next, body }))).toMatchObject({ code: 'invalid', problem: 'bad-signature', index: 4 })
    // a record signed by someone else, even a valid open record for this id, is refused
    const mallory = party()
    const foreign = createChannel(mallory.seed)
    const { store: fresh } = await openStore('fresh')
    expect(await refusal(fresh.append(id, { ...foreign.records[0], channelId: ch.id }))).toMatchObject({ code: 'invalid' })
    expect(await fresh.channels()).toEqual([])

    expect(await store.tip(id)).toMatchObject({ index: 3 })
    expect(verifyChain(await store.records(id), owner.publicKey).ok).toBe(true)
  })

  it('concurrent appends to one channel are serialised: exactly one of two racing forks is stored', async () => {
    const { store } = await openStore()
    const owner = party()
    const { ch, id } = await ownerWrites(store, owner.seed, 1)
    const a = openChannel(owner.seed, ch.records).append({ n: 'a' })
    const b = openChannel(owner.seed, ch.records).append({ n: 'b' })
    const results = await Promise.allSettled([store.append(id, a), store.append(id, b)])
    expect(results.map(r => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect((await store.records(id)).length).toBe(3)
  })
})

describe('ChannelStore: ingesting a replica', () => {
  it('verifies a new channel from its open record, then only continuations of the stored head', async () => {
    const owner = party()
    const ch = createChannel(owner.seed)
    ch.append({ n: 1 })
    ch.append({ n: 2 })
    const id = toHex(ch.id)
    const { store } = await openStore()
    expect(await store.ingest(ch.records, owner.publicKey)).toMatchObject({ stored: 3, tip: { index: 2, head: toHex(ch.head) } })
    ch.append({ n: 3 })
    ch.append({ n: 4 })
    // an overlap with what is held is fine and not stored twice
    expect(await store.ingest(ch.records.slice(1))).toMatchObject({ stored: 2, tip: { index: 4, head: toHex(ch.head) } })
    expect(await store.ingest(ch.records)).toMatchObject({ stored: 0, tip: { index: 4 } })
    expect(await store.ingest([])).toEqual({ stored: 0, tip: undefined })
    expect(await store.records(id)).toEqual(ch.records)
  })

  it('refuses a forged, reordered, gapped, forked or wrongly owned batch whole, storing nothing of it', async () => {
    const owner = party()
    const ch = createChannel(owner.seed)
    for (let i = 0; i < 4; i++) ch.append({ n: i })
    const id = toHex(ch.id)
    const { store } = await openStore()

    const tampered: ChannelRecord[] = ch.records.slice()
    const body = tampered[3].body.slice()
    body[2] ^= 0x80
    tampered[3] = { ...tampered[3], body }
    expect(await refusal(store.ingest(tampered))).toMatchObject({ code: 'invalid', problem: 'bad-signature', index: 3 })
    expect(await store.tip(id)).toBeUndefined()
    expect(await store.records(id)).toEqual([])

    expect(await refusal(store.ingest(ch.records, party().publicKey))).toMatchObject({ code: 'wrong-owner' })
    expect(await refusal(store.ingest(ch.records.slice(1)))).toMatchObject({ code: 'not-next', index: 1 })
    const swapped = ch.records.slice()
    ;[swapped[1], swapped[2]] = [swapped[2], swapped[1]]
    expect(await refusal(store.ingest(swapped))).toMatchObject({ code: 'invalid', problem: 'out-of-order' })
    expect(await store.channels()).toEqual([])

    await store.ingest(ch.records.slice(0, 3))
    const before = await store.tip(id)
    const suffix = tampered.slice(3)
    expect(await refusal(store.ingest(suffix))).toMatchObject({ code: 'invalid', problem: 'bad-signature', index: 3 })
    expect(await refusal(store.ingest(ch.records.slice(4)))).toMatchObject({ code: 'not-next', index: 4 })
    expect(await refusal(store.ingest(ch.records, party().publicKey))).toMatchObject({ code: 'wrong-owner' })

    // the owner signed two histories after record 2: once record 3 is held, the other one is a fork
    const other = openChannel(owner.seed, ch.records.slice(0, 3))
    const alt = [other.append({ alt: 1 }), other.append({ alt: 2 })]
    expect(await store.ingest(ch.records.slice(3, 4))).toMatchObject({ stored: 1 })
    expect(await refusal(store.ingest(alt))).toMatchObject({ code: 'fork', index: 3 })
    expect(await refusal(store.ingest(alt.slice(1)))).toMatchObject({ code: 'fork', problem: 'bad-link', index: 4 })
    expect(await refusal(store.ingest([ch.records[0], ch.records[1], createChannel(owner.seed).records[0]]))).toMatchObject({
      code: 'invalid',
      problem: 'wrong-channel'
    })

    expect((await store.tip(id))?.index).toBe(before!.index + 1)
    expect(verifyChain(await store.records(id), owner.publicKey).ok).toBe(true)
  })
})

describe('ChannelStore: restart', () => {
  it('keeps every channel across closing and reopening the level database; the owner resumes from it', async () => {
    const owner = party()
    const alice = party()
    const first = await openStore()
    const { ch, id } = await ownerWrites(first.store, owner.seed, 2)
    await first.store.append(id, ch.grant(alice.publicKey))
    const replica = createChannel(party().seed)
    replica.append({ r: 1 })
    await first.store.ingest(replica.records)
    const heads = await first.store.heads()
    await first.db.close()

    const again = await openStore()
    expect(await again.store.heads()).toEqual(heads)
    expect(heads.map(h => h.id)).toEqual([id, toHex(replica.id)].sort())
    expect(heads.find(h => h.id === id)).toEqual({ id, index: 3, head: toHex(recordHash(ch.records[3])) })
    const resumed = openChannel(owner.seed, await again.store.records(id))
    await again.store.append(id, resumed.append({ after: 'restart' }))
    const records = await again.store.records(id)
    expect(verifyChain(records, owner.publicKey, { head: resumed.head }).ok).toBe(true)
    expect(readChannel(records, alice.seed).entries.map(e => e.value)).toEqual([{ n: 0 }, { n: 1 }, { after: 'restart' }])
  })
})
