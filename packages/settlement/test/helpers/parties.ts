import { iotaAddress, signerFromSeed, signTerms, tradeId, type Signer, type Trade, type TradeTerms } from '@kvartal/protocol'

/**
 * Fixed-seed parties and hand-made trades for the settlement tests. Only protocol code runs here (keys,
 * signatures, trade ids), never the settlement code under test, so that building these while a test file
 * loads cannot hide a mutant; the tests call them inside each test all the same.
 */
export interface Party {
  readonly signer: Signer
  readonly address: string
  readonly seed: Uint8Array
}

export function party(n: number): Party {
  const seed = new Uint8Array(32).fill(n)
  const signer = signerFromSeed(seed)
  return { signer, address: iotaAddress(signer.publicKey), seed }
}

export interface TradeSpec {
  readonly seller: Party
  readonly buyer: Party
  readonly slot?: number
  readonly energyWh: number
  readonly price: number
  readonly n?: number
  readonly gridFee?: number
}

export function trade(s: TradeSpec): Trade {
  const terms: TradeTerms = {
    version: 1,
    district: 'd',
    negotiation: new Uint8Array(16).fill(s.n ?? 1),
    buyer: s.buyer.signer.publicKey,
    seller: s.seller.signer.publicKey,
    slot: s.slot ?? 1,
    energyWh: s.energyWh,
    price: s.price,
    agreedAt: 1,
    ...(s.gridFee != null ? { gridFee: s.gridFee } : {})
  }
  return { id: tradeId(terms), terms, buyerSignature: signTerms(terms, s.buyer.signer), sellerSignature: signTerms(terms, s.seller.signer) }
}

/** What `fn` threw (fails the test when it did not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}

/** What the promise rejected with (fails the test when it resolved). */
export async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection')
}
