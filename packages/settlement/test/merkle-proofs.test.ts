/**
 * The Merkle tree's edges: which leaf indices prove (the last one does, the first beyond does not, nor a
 * fraction or a negative), a proof's exact shape, and proofs that verifyInclusion must refuse: a path that
 * stops at an inner node, an index outside the tree, a sibling that is not 32 bytes.
 */
import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { MerkleTree, leafHash, verifyInclusion } from '../src/index.ts'
import { thrown } from './helpers/parties.ts'

const leaves = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`leaf-${i}`))
const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(new Uint8Array([1, ...l, ...r]))

describe('MerkleTree.prove', () => {
  it('proves every index from 0 to size − 1, and refuses size, −1 and fractions with a RangeError that names both', () => {
    const t = new MerkleTree(leaves(3))
    expect(t.size).toBe(3)
    expect(t.prove(2)).toMatchObject({ index: 2, size: 3 })
    expect(t.prove(0)).toMatchObject({ index: 0, size: 3 })
    for (const index of [3, -1, 1.5, NaN]) {
      const err = thrown(() => t.prove(index))
      expect(err).toBeInstanceOf(RangeError)
      expect((err as Error).message).toBe(`no leaf ${index} in a tree of 3`)
    }
    expect(() => new MerkleTree([]).prove(0)).toThrow('no leaf 0 in a tree of 0')
  })

  it('gives the audit path of RFC 6962, leaf side first, as hex', () => {
    const [a, b, c, d, e] = leaves(5).map(leafHash)
    const t = new MerkleTree(leaves(5))
    // the tree of 5 splits 4 | 1: ((a b) (c d)) e
    expect(t.prove(0)).toEqual({ index: 0, size: 5, path: [bytesToHex(b), bytesToHex(node(c, d)), bytesToHex(e)] })
    expect(t.prove(3)).toEqual({ index: 3, size: 5, path: [bytesToHex(c), bytesToHex(node(a, b)), bytesToHex(e)] })
    expect(t.prove(4)).toEqual({ index: 4, size: 5, path: [bytesToHex(node(node(a, b), node(c, d)))] })
    expect(t.root).toBe(bytesToHex(node(node(node(a, b), node(c, d)), e)))
    expect(new MerkleTree(leaves(1)).prove(0)).toEqual({ index: 0, size: 1, path: [] })
  })

  it('hashes a leaf as SHA-256(0x00 ‖ leaf)', () => {
    expect(bytesToHex(leafHash(new Uint8Array([7, 8])))).toBe(bytesToHex(sha256(new Uint8Array([0, 7, 8]))))
    expect(bytesToHex(leafHash(new Uint8Array()))).toBe(bytesToHex(sha256(new Uint8Array([0]))))
  })

  it('a tree of 7 has the shape ((a b)(c d))((e f) g)', () => {
    const [a, b, c, d, e, f, g] = leaves(7).map(leafHash)
    expect(new MerkleTree(leaves(7)).root).toBe(bytesToHex(node(node(node(a, b), node(c, d)), node(node(e, f), g))))
    expect(new MerkleTree(leaves(6)).root).toBe(bytesToHex(node(node(node(a, b), node(c, d)), node(e, f))))
  })
})

describe('verifyInclusion refuses', () => {
  it("a path that stops at an inner node, even under that node's hash", () => {
    const ls = leaves(4)
    const t = new MerkleTree(ls)
    const p = t.prove(0)
    const [a, b] = ls.slice(0, 2).map(leafHash)
    const inner = bytesToHex(node(a, b))
    expect(verifyInclusion(ls[0], { ...p, path: p.path.slice(0, 1) }, inner)).toBe(false)
    expect(verifyInclusion(ls[0], { ...p, path: [] }, bytesToHex(a))).toBe(false)
    expect(verifyInclusion(ls[0], p, t.root)).toBe(true)
  })

  it('an index outside the tree, with a path that would otherwise lead to the root', () => {
    const ls = leaves(4)
    const t = new MerkleTree(ls)
    const last = t.prove(3)
    expect(verifyInclusion(ls[3], { ...last, index: 4 }, t.root)).toBe(false)
    expect(verifyInclusion(ls[3], { ...last, index: -1 }, t.root)).toBe(false)
    expect(verifyInclusion(ls[3], { ...last, size: 3 }, t.root)).toBe(false)
    // a one-leaf tree: index 0 of size 1 is its root, index 1 of size 1 is nothing
    const one = new MerkleTree(leaves(1))
    expect(verifyInclusion(leaves(1)[0], { index: 0, size: 1, path: [] }, one.root)).toBe(true)
    expect(verifyInclusion(leaves(1)[0], { index: 1, size: 1, path: [] }, one.root)).toBe(false)
    expect(verifyInclusion(leaves(1)[0], { index: -1, size: 1, path: [] }, one.root)).toBe(false)
    expect(verifyInclusion(leaves(1)[0], { index: 0, size: 0, path: [] }, one.root)).toBe(false)
  })

  it('a sibling of 31 or 33 bytes, and one that is not hex, without throwing', () => {
    const ls = leaves(2)
    const t = new MerkleTree(ls)
    const p = t.prove(0)
    expect(verifyInclusion(ls[0], { ...p, path: [p.path[0].slice(2)] }, t.root)).toBe(false)
    expect(verifyInclusion(ls[0], { ...p, path: [p.path[0] + '00'] }, t.root)).toBe(false)
    expect(verifyInclusion(ls[0], { ...p, path: ['zz'.repeat(32)] }, t.root)).toBe(false)
    expect(verifyInclusion(ls[0], p, t.root)).toBe(true)
  })

  it('the right leaf under another root', () => {
    const ls = leaves(3)
    const t = new MerkleTree(ls)
    expect(verifyInclusion(ls[1], t.prove(1), new MerkleTree(leaves(4)).root)).toBe(false)
    expect(verifyInclusion(ls[1], t.prove(1), t.root.toUpperCase())).toBe(false)
  })
})
