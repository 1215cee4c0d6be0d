/**
 * TxJournal, the iota adapter's write-before-send record, over a Map store: the keys it writes under, the
 * pending list kept in step with each record's status, the digest index (current and earlier attempts),
 * carriers, and the records it refuses to read as its own.
 */
import { describe, expect, it } from 'vitest'
import type { SettlementStore } from '../src/iota/config.ts'
import { TxJournal, type TxRecord } from '../src/iota/journal.ts'

class CountingStore implements SettlementStore {
  readonly map = new Map<string, string>()
  readonly puts: string[] = []
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key)
  }
  async put(key: string, value: string): Promise<void> {
    this.puts.push(key)
    this.map.set(key, value)
  }
  json(key: string): unknown {
    const raw = this.map.get(key)
    return raw == null ? undefined : JSON.parse(raw)
  }
}

const record = (over: Partial<TxRecord> = {}): TxRecord => ({
  v: 1,
  kind: 'pay',
  key: 'p/1',
  status: 'submitted',
  digest: 'D1',
  bytes: 'AA==',
  signature: 'S',
  sender: '0xa',
  attempt: 1,
  previous: [],
  signedAt: 5,
  ...over
})

describe('TxJournal', () => {
  it('writes a submitted record under <prefix>/<kind>/<key>, indexed by digest and listed as pending, once', async () => {
    const store = new CountingStore()
    const j = new TxJournal(store, 'iota/testnet')
    const r = record()
    await j.put(r)
    expect(store.json('iota/testnet/pay/p/1')).toEqual(r)
    expect(store.json('iota/testnet/digest/D1')).toEqual({ kind: 'pay', key: 'p/1' })
    expect(store.json('iota/testnet/pending')).toEqual(['pay/p/1'])
    expect(await j.get('pay', 'p/1')).toEqual(r)
    expect(await j.pending()).toEqual(['pay/p/1'])
    // written again while still submitted: listed once, the pending list not rewritten
    store.puts.length = 0
    await j.put(r)
    expect(store.json('iota/testnet/pending')).toEqual(['pay/p/1'])
    expect(store.puts).toEqual(['iota/testnet/digest/D1', 'iota/testnet/pay/p/1'])
  })

  it('a record that leaves submitted is un-listed; one that never was submitted is neither listed nor indexed', async () => {
    const store = new CountingStore()
    const j = new TxJournal(store, 'x')
    await j.put(record())
    await j.put(record({ kind: 'attest', key: 'a/1', digest: 'D2' }))
    expect(await j.pending()).toEqual(['pay/p/1', 'attest/a/1'])
    await j.put(record({ status: 'confirmed' }))
    expect(await j.pending()).toEqual(['attest/a/1'])
    store.puts.length = 0
    await j.put(record({ kind: 'attest', key: 'a/2', digest: 'D3', status: 'failed' }))
    expect(store.puts).toEqual(['x/attest/a/2'])
    expect(await j.pending()).toEqual(['attest/a/1'])
    expect(store.json('x/digest/D3')).toBeUndefined()
  })

  it("get: nothing for an unknown key or a carrier; an Error for a record that is not this journal's", async () => {
    const store = new CountingStore()
    const j = new TxJournal(store, 'x')
    expect(await j.get('pay', 'nothing')).toBeUndefined()
    await j.putCarrier('a/1', 'p/1')
    expect(store.json('x/attest/a/1')).toEqual({ v: 1, kind: 'attest', key: 'a/1', carriedBy: 'p/1' })
    expect(await j.get('attest', 'a/1')).toBeUndefined()
    expect(await j.carrierOf('a/1')).toBe('p/1')
    expect(await j.carrierOf('a/2')).toBeUndefined()
    await j.put(record({ kind: 'attest', key: 'a/3', digest: 'D3' }))
    expect(await j.carrierOf('a/3')).toBeUndefined()

    store.map.set('x/pay/v2', JSON.stringify({ ...record({ key: 'v2' }), v: 2 }))
    await expect(j.get('pay', 'v2')).rejects.toThrow(
      "the settlement store holds a record under x/pay/v2 that is not this adapter's (v=2, kind=pay)"
    )
    store.map.set('x/pay/kind', JSON.stringify(record({ key: 'kind', kind: 'attest' })))
    await expect(j.get('pay', 'kind')).rejects.toThrow(
      "the settlement store holds a record under x/pay/kind that is not this adapter's (v=1, kind=attest)"
    )
    store.map.set('x/pay/key', JSON.stringify(record({ key: 'other' })))
    await expect(j.get('pay', 'key')).rejects.toThrow(
      "the settlement store holds a record under x/pay/key that is not this adapter's (v=1, kind=pay)"
    )
  })

  it("byDigest: the key's record for its current digest or an earlier attempt's, nothing otherwise", async () => {
    const store = new CountingStore()
    const j = new TxJournal(store, 'x')
    expect(await j.byDigest('D1')).toBeUndefined()
    await j.put(record())
    expect(await j.byDigest('D1')).toEqual(record())
    const second = record({ digest: 'D2', attempt: 2, previous: ['D1'] })
    await j.put(second)
    expect(await j.byDigest('D1')).toEqual(second)
    expect(await j.byDigest('D2')).toEqual(second)
    // an index entry whose record names another digest (a crash between the two writes) names nothing
    store.map.set('x/digest/D9', JSON.stringify({ kind: 'pay', key: 'p/1' }))
    expect(await j.byDigest('D9')).toBeUndefined()
    // nor one whose record was never written
    store.map.set('x/digest/D8', JSON.stringify({ kind: 'pay', key: 'p/none' }))
    expect(await j.byDigest('D8')).toBeUndefined()
  })

  it(
    'pendingRecords: the submitted records listed, in order; a ' + 'listed key that is settled (or gone) is dropped from the list',
    async () => {
      const store = new CountingStore()
      const j = new TxJournal(store, 'x')
      expect(await j.pendingRecords()).toEqual([])
      const a = record({ key: 'a', digest: 'A' })
      const b = record({ kind: 'attest', key: 'b/c', digest: 'B' })
      await j.put(a)
      await j.put(b)
      store.puts.length = 0
      expect(await j.pendingRecords()).toEqual([a, b])
      expect(store.puts).toEqual([]) // nothing to tidy: the list is not rewritten
      // a crash between a record's final write and its un-listing, and a listed key with no record
      store.map.set('x/pay/a', JSON.stringify({ ...a, status: 'confirmed' }))
      store.map.set('x/pending', JSON.stringify(['pay/a', 'attest/b/c', 'pay/gone']))
      expect(await j.pendingRecords()).toEqual([b])
      expect(store.json('x/pending')).toEqual(['attest/b/c'])
    }
  )
})
