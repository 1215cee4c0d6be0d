/**
 * What settlePeriod proves and what it attests: every trade under the period's root, in id order, and each
 * extra leaf after the trades and readings (periodLeaves lays them out), under the key attestationKey names.
 * Against a recording stand-in for the ledger (RecordingSettlement); the amounts: period.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { encodeReading, encodeTrade } from '@kvartal/protocol'
import { MerkleTree, attestationKey, periodLeaves, settlePeriod, verifyInclusion } from '../src/index.ts'
import { RecordingSettlement } from './helpers/recording-settlement.ts'
import { trade } from './helpers/parties.ts'
import { cast, readings, tariffs } from './helpers/period-inputs.ts'

describe('settlePeriod', () => {
  it('proves every trade under the root, in id order, and each extra leaf after the trades and readings', async () => {
    const { seller, buyer } = cast()
    const ts = [1, 2, 3].map(n => trade({ seller, buyer, slot: n, energyWh: n, price: 1_000, n }))
    const rs = readings(buyer, [
      [1, 0],
      [2, 0]
    ])
    const extra = [new Uint8Array([1]), new Uint8Array([2, 2])]
    const r = await settlePeriod(new RecordingSettlement(), {
      period: 'd/p7',
      self: buyer.address,
      trades: ts,
      readings: rs,
      tariffs,
      extraLeaves: extra
    })
    const sorted = [...ts].sort((x, y) => (x.id < y.id ? -1 : 1))
    const tree = new MerkleTree([...sorted.map(encodeTrade), ...rs.map(encodeReading), ...extra])
    expect(r.attestation.root).toBe(tree.root)
    expect(r.attestation.leaves).toBe(7)
    expect(r.extraProofs).toEqual([tree.prove(5), tree.prove(6)])
    expect(r.extraProofs.map(p => p.index)).toEqual([5, 6])
    expect(verifyInclusion(extra[1], r.extraProofs[1], tree.root)).toBe(true)
    expect([...r.proofs.keys()].sort()).toEqual(sorted.map(t => t.id).sort())
    for (const [i, t] of sorted.entries()) {
      expect(r.proofs.get(t.id)).toEqual(tree.prove(i))
      expect(verifyInclusion(encodeTrade(t), r.proofs.get(t.id)!, tree.root)).toBe(true)
    }
  })
})

describe('periodLeaves', () => {
  it('the trades sorted by id, then the readings in their order; the index of each trade among the leaves', () => {
    const { seller, buyer } = cast()
    const ts = [1, 2, 3, 4].map(n => trade({ seller, buyer, slot: n, energyWh: n, price: 1_000, n }))
    const rs = readings(buyer, [
      [1, 0],
      [0, 1]
    ])
    const { leaves, tradeIndex, sorted } = periodLeaves(ts, rs)
    const byId = [...ts].sort((x, y) => (x.id < y.id ? -1 : 1))
    expect(byId.map(t => t.id)).not.toEqual(ts.map(t => t.id)) // the ids are not already in order
    expect(sorted).toEqual(byId)
    expect(leaves).toEqual([...byId.map(encodeTrade), ...rs.map(encodeReading)])
    expect([...tradeIndex]).toEqual(byId.map((t, i) => [t.id, i]))
    expect(periodLeaves([...ts].reverse(), rs).leaves).toEqual(leaves)
    // the input is not sorted in place
    expect(ts.map(t => t.id)).toEqual([1, 2, 3, 4].map(n => trade({ seller, buyer, slot: n, energyWh: n, price: 1_000, n }).id))
  })
})

describe('attestationKey', () => {
  it('is <period>/attest/<address>', () => {
    expect(attestationKey('trondheim/2026-06-17', '0xab')).toBe('trondheim/2026-06-17/attest/0xab')
  })
})
