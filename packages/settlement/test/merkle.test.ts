import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { MerkleTree, leafHash, verifyInclusion } from '../src/index.ts'

const leaves = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`leaf-${i}`))

describe('Merkle tree (RFC 6962)', () => {
  it('matches the RFC 6962 definition for small trees', () => {
    const [a, b, c] = leaves(3).map(leafHash)
    const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(new Uint8Array([1, ...l, ...r]))
    expect(new MerkleTree(leaves(1)).root).toBe(bytesToHex(a))
    expect(new MerkleTree(leaves(2)).root).toBe(bytesToHex(node(a, b)))
    expect(new MerkleTree(leaves(3)).root).toBe(bytesToHex(node(node(a, b), c)))
    expect(new MerkleTree([]).root).toBe(bytesToHex(sha256(new Uint8Array())))
  })
  it('every leaf of every size up to 70 proves, and nothing else does', () => {
    for (let n = 1; n <= 70; n++) {
      const ls = leaves(n)
      const t = new MerkleTree(ls)
      for (let i = 0; i < n; i++) {
        const p = t.prove(i)
        expect(verifyInclusion(ls[i], p, t.root)).toBe(true)
        expect(verifyInclusion(new TextEncoder().encode('forged'), p, t.root)).toBe(false)
        if (n > 1) expect(verifyInclusion(ls[(i + 1) % n], p, t.root)).toBe(false)
      }
    }
  })
  it('refuses malformed proofs without throwing', () => {
    const ls = leaves(5)
    const t = new MerkleTree(ls)
    const p = t.prove(2)
    expect(verifyInclusion(ls[2], { ...p, path: [...p.path.slice(0, -1), 'zz'] }, t.root)).toBe(false)
    expect(verifyInclusion(ls[2], { ...p, index: 9 }, t.root)).toBe(false)
    expect(verifyInclusion(ls[2], { ...p, path: [...p.path, p.path[0]] }, t.root)).toBe(false)
  })
})
