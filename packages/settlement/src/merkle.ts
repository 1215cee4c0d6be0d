import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'

/**
 * Merkle trees as RFC 6962 (Certificate Transparency) defines them: leaf hash = SHA-256(0x00 ‖ leaf),
 * node hash = SHA-256(0x01 ‖ left ‖ right), and a tree of n leaves splits at the largest power of two
 * below n. The domain bytes make a leaf impossible to pass off as an inner node; the split rule gives
 * every leaf count one shape, so a root commits to the exact list. Any CT library can check our proofs.
 */
export function leafHash(leaf: Uint8Array): Uint8Array {
  const b = new Uint8Array(leaf.length + 1)
  b[0] = 0x00
  b.set(leaf, 1)
  return sha256(b)
}

function nodeHash(l: Uint8Array, r: Uint8Array): Uint8Array {
  const b = new Uint8Array(65)
  b[0] = 0x01
  b.set(l, 1)
  b.set(r, 33)
  return sha256(b)
}

function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/**
 * Subtree hashes over [lo, hi) of the leaf hashes, memoised: a tree of n leaves has fewer than 2n
 * distinct subtrees, so the root and every proof together cost O(n log n) hashes, not O(n²).
 */
class Subtrees {
  readonly #leaves: Uint8Array[]
  readonly #memo = new Map<number, Uint8Array>()
  constructor(leaves: Uint8Array[]) {
    this.#leaves = leaves
  }
  hash(lo: number, hi: number): Uint8Array {
    const n = hi - lo
    if (n === 0) return sha256(new Uint8Array())
    if (n === 1) return this.#leaves[lo]
    const key = lo * 0x100000000 + hi
    let h = this.#memo.get(key)
    if (h == null) {
      const k = split(n)
      h = nodeHash(this.hash(lo, lo + k), this.hash(lo + k, hi))
      this.#memo.set(key, h)
    }
    return h
  }
  /** Audit path for leaf m of [lo, hi) (RFC 6962 §2.1.1), leaf side first. */
  path(m: number, lo: number, hi: number): Uint8Array[] {
    const out: Uint8Array[] = []
    while (hi - lo > 1) {
      const k = split(hi - lo)
      if (m < lo + k) {
        out.push(this.hash(lo + k, hi))
        hi = lo + k
      } else {
        out.push(this.hash(lo, lo + k))
        lo = lo + k
      }
    }
    return out.reverse()
  }
}

export interface InclusionProof {
  readonly index: number
  readonly size: number
  /** hex sibling hashes, leaf side first */
  readonly path: readonly string[]
}

export class MerkleTree {
  readonly #tree: Subtrees
  readonly #size: number
  readonly root: string
  constructor(leaves: readonly Uint8Array[]) {
    this.#size = leaves.length
    this.#tree = new Subtrees(leaves.map(leafHash))
    this.root = bytesToHex(this.#tree.hash(0, this.#size))
  }
  get size(): number {
    return this.#size
  }
  prove(index: number): InclusionProof {
    if (!Number.isInteger(index) || index < 0 || index >= this.#size) throw new RangeError(`no leaf ${index} in a tree of ${this.#size}`)
    return { index, size: this.#size, path: this.#tree.path(index, 0, this.#size).map(bytesToHex) }
  }
}

/** the largest tree a proof may name: positions are 32-bit, as the subtree keys above assume */
const MAX_TREE_SIZE = 0xffff_ffff

/** Recomputes the root from a leaf and its proof (RFC 9162 §2.1.3.2). False on any mismatch or malformed proof. */
export function verifyInclusion(leaf: Uint8Array, proof: InclusionProof, rootHex: string): boolean {
  try {
    // whole numbers only, and 32 bits (shifted unsigned): the bit arithmetic truncates a fraction and wraps a
    // size beyond 32 bits, so that index 0.5 of 2, or a size 2^32 more than the tree's, verified as the real proof did
    if (!Number.isSafeInteger(proof.index) || !Number.isSafeInteger(proof.size) || proof.size > MAX_TREE_SIZE) return false
    if (proof.index < 0 || proof.index >= proof.size) return false
    let fn = proof.index
    let sn = proof.size - 1
    let r = leafHash(leaf)
    for (const p of proof.path) {
      const h = hexToBytes(p)
      if (h.length !== 32 || sn === 0) return false
      if ((fn & 1) === 1 || fn === sn) {
        r = nodeHash(h, r)
        if ((fn & 1) === 0)
          while ((fn & 1) === 0 && fn !== 0) {
            fn >>>= 1
            sn >>>= 1
          }
      } else {
        r = nodeHash(r, h)
      }
      fn >>>= 1
      sn >>>= 1
    }
    return sn === 0 && bytesToHex(r) === rootHex
  } catch {
    return false
  }
}
