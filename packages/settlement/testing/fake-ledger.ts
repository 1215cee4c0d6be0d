import { randomBytes } from 'node:crypto'
import { bcs } from '@iota/iota-sdk/bcs'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import { fromBase64, normalizeIotaAddress, normalizeIotaObjectId, toBase58, toBase64 } from '@iota/iota-sdk/utils'
import { verifyTransactionSignature } from '@iota/iota-sdk/verify'
import { RpcError } from './fake-rpc-replies.ts'

/**
 * FakeIotaRpc's toy ledger (fake-iota-rpc.ts): coin objects (ids, versions, digests, owners, balances), the
 * responses of the transactions it executed, and their execution: the sender's signature checked with the
 * SDK's verifier, the gas coins' versions, the gas price and budget; coins split and transferred, a
 * notarization object created for `locked_notarization::create`, a fixed gas fee charged, and
 * `InsufficientCoinBalance` when the splits exceed what the gas coins hold beyond the budget, as the real
 * node does. Executing bytes it has already executed returns the earlier result (like a full node).
 */

export const COIN_TYPE = '0x2::iota::IOTA'

export interface FakeObject {
  id: string
  version: number
  digest: string
  owner: string
  type: string
  balance: bigint
}

export interface ExecutedTransaction {
  readonly digest: string
  readonly bytes: Uint8Array
  readonly signatures: string[]
  readonly status: 'success' | 'failure'
  readonly error?: string
}

/** What the ledger charges and honours: FakeIotaRpcOptions, with their defaults. */
export interface FakeLedgerCosts {
  readonly referenceGasPrice: number
  readonly computationCost: number
  readonly storageCostPerObject: number
  readonly notarizationPackageId: string
}

export function newDigest(): string {
  return toBase58(new Uint8Array(randomBytes(32)))
}
function newId(): string {
  return '0x' + randomBytes(32).toString('hex')
}

export class FakeLedger {
  /** every transaction the ledger executed, once each */
  readonly executions: ExecutedTransaction[] = []
  /** digest of every execute request that reached the ledger (re-sends of the same bytes too) */
  readonly submissions: string[] = []
  readonly #objects = new Map<string, FakeObject>()
  readonly #responses = new Map<string, Record<string, unknown>>()
  readonly #o: FakeLedgerCosts
  #checkpoint = 1

  constructor(costs: FakeLedgerCosts) {
    this.#o = costs
  }

  /** Creates a coin of `amount` nanos owned by `address` (a genesis gift). */
  fund(address: string, amount: number | bigint): string {
    const id = newId()
    this.#objects.set(id, {
      id,
      version: 1,
      digest: newDigest(),
      owner: normalizeIotaAddress(address),
      type: `0x2::coin::Coin<${COIN_TYPE}>`,
      balance: BigInt(amount)
    })
    return id
  }

  /** The coins of `owner` (a normalised address), by id. */
  coins(owner: string): FakeObject[] {
    return [...this.#objects.values()]
      .filter(o => o.owner === owner && o.type === `0x2::coin::Coin<${COIN_TYPE}>`)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
  }

  /** Objects of a Move type (by a substring of the type) owned by `address`. */
  objectsOf(address: string, typeContains: string): Array<{ id: string; type: string }> {
    const a = normalizeIotaAddress(address)
    return [...this.#objects.values()].filter(o => o.owner === a && o.type.includes(typeContains)).map(o => ({ id: o.id, type: o.type }))
  }

  /** Another transaction spends this object: its version and digest move on. */
  spend(objectId: string): void {
    const o = this.#objects.get(normalizeIotaObjectId(objectId))
    if (o == null) throw new Error(`no object ${objectId}`)
    o.version += 1
    o.digest = newDigest()
  }

  /** The full stored response of an executed transaction, if the node still has it. */
  response(digest: string): Record<string, unknown> | undefined {
    return this.#responses.get(digest)
  }

  /** The node forgets an executed transaction (a pruning full node); its effects on objects stay. */
  prune(digest: string): void {
    this.#responses.delete(digest)
  }

  /** A lying or broken node: from now on it answers lookups of `a` with the transaction `b`, and of `b` with `a`. */
  swapResponses(a: string, b: string): void {
    const ra = this.#responses.get(a)
    const rb = this.#responses.get(b)
    if (ra == null || rb == null) throw new Error('swapResponses takes two executed digests')
    this.#responses.set(a, rb)
    this.#responses.set(b, ra)
  }

  /**
   * Executes (once) and returns the full stored response, every field a full node can show.
   * `takeInjectedFailure` is asked once the transaction is found valid: an error to fail it with, or none.
   */
  async execute(txB64: string, signatures: string[], takeInjectedFailure: () => string | undefined): Promise<Record<string, unknown>> {
    const bytes = fromBase64(txB64)
    const digest = TransactionDataBuilder.getDigestFromBytes(bytes)
    this.submissions.push(digest)
    const data = Transaction.from(bytes).getData()
    const sender = normalizeIotaAddress(data.sender!)
    // signature: the SDK's own verifier, and the signer must be the sender
    let signer: string
    try {
      if (signatures.length !== 1) throw new Error(`expected one signature, got ${signatures.length}`)
      signer = (await verifyTransactionSignature(bytes, signatures[0])).toIotaAddress()
    } catch (e) {
      throw new RpcError(-32002, `Invalid user signature: ${String(e)}`)
    }
    // from here on, synchronous: no other request interleaves
    const earlier = this.#responses.get(digest)
    if (earlier != null) return earlier
    if (signer !== sender) throw new RpcError(-32002, `Invalid user signature: signer ${signer} is not the sender ${sender}`)
    const price = BigInt(data.gasData.price!)
    const budget = BigInt(data.gasData.budget!)
    if (price < BigInt(this.#o.referenceGasPrice))
      throw new RpcError(-32002, `Gas price ${price} under reference gas price (RGP) ${this.#o.referenceGasPrice}`)
    const gas: FakeObject[] = []
    for (const ref of data.gasData.payment ?? []) {
      const id = normalizeIotaObjectId(ref.objectId)
      const obj = this.#objects.get(id)
      if (obj == null)
        throw new RpcError(
          -32002,
          `Transaction needs to be rebuilt because object ${id} version ` +
            `${String(ref.version)} is unavailable for consumption, current version: deleted`
        )
      if (obj.owner !== sender)
        throw new RpcError(-32002, `Transaction was not signed by the correct sender: object ${id} is owned by ${obj.owner}`)
      if (String(obj.version) !== String(ref.version) || obj.digest !== ref.digest)
        throw new RpcError(
          -32002,
          `Transaction needs to be rebuilt because object ${id} version ${String(ref.version)} ` +
            `is unavailable for consumption, current version: ${obj.version}`
        )
      gas.push(obj)
    }
    if (gas.length === 0) throw new RpcError(-32002, 'Transaction has no gas payment')
    const gasSum = gas.reduce((s, c) => s + c.balance, 0n)
    if (gasSum < budget) throw new RpcError(-32002, `Balance of gas object ${gas[0].id} is lower than the needed amount: ${budget}`)

    // execute the commands against a scratch state
    let available = gasSum - budget
    let error: string | undefined = takeInjectedFailure()
    const splits: bigint[][] = []
    const sends: Array<{ to: string; amount: bigint }> = []
    const notarizations: string[] = []
    const pure = (arg: unknown): Uint8Array => {
      const a = arg as { Input?: number }
      const input = a.Input != null ? data.inputs[a.Input] : undefined
      if (input?.Pure == null) throw new RpcError(-32002, 'expected a pure input')
      return fromBase64(input.Pure.bytes)
    }
    data.commands.forEach((c, i) => {
      if (error != null) return
      if (c.SplitCoins != null) {
        if (c.SplitCoins.coin.$kind !== 'GasCoin') {
          error = `UnsupportedInFake in command ${i}`
          return
        }
        const amounts = c.SplitCoins.amounts.map(a => BigInt(bcs.u64().parse(pure(a))))
        const total = amounts.reduce((s, x) => s + x, 0n)
        if (total > available) {
          error = `InsufficientCoinBalance in command ${i}`
          return
        }
        available -= total
        splits[i] = amounts
      } else if (c.TransferObjects != null) {
        const to = normalizeIotaAddress(bcs.Address.parse(pure(c.TransferObjects.address)))
        for (const o of c.TransferObjects.objects) {
          const nr = (o as { NestedResult?: [number, number] }).NestedResult
          const amount = nr != null ? splits[nr[0]]?.[nr[1]] : undefined
          if (amount == null) {
            error = `UnsupportedInFake in command ${i}`
            return
          }
          sends.push({ to, amount })
        }
      } else if (c.MoveCall != null) {
        const m = c.MoveCall
        if (normalizeIotaObjectId(m.package) !== this.#o.notarizationPackageId) {
          error = `MoveAbort: PackageNotFound ${m.package} in command ${i}`
          return
        }
        if (m.module === 'locked_notarization' && m.function === 'create')
          notarizations.push(`${this.#o.notarizationPackageId}::notarization::Notarization<vector<u8>>`)
      } else {
        error = `UnsupportedInFake in command ${i}`
      }
    })

    const lamport = Math.max(...gas.map(g => g.version)) + 1
    const created: FakeObject[] = []
    const computation = BigInt(this.#o.computationCost)
    let storage = 0n
    const primary = gas[0]
    const deleted = gas.slice(1)
    for (const d of deleted) this.#objects.delete(d.id)
    if (error == null) {
      for (const s of sends)
        created.push({
          id: newId(),
          version: lamport,
          digest: newDigest(),
          owner: s.to,
          type: `0x2::coin::Coin<${COIN_TYPE}>`,
          balance: s.amount
        })
      for (const type of notarizations)
        created.push({ id: newId(), version: lamport, digest: newDigest(), owner: sender, type, balance: 0n })
      storage = BigInt(this.#o.storageCostPerObject) * BigInt(created.length + 1)
    }
    const charged = computation + storage > budget ? budget : computation + storage
    const moved = error == null ? sends.reduce((s, x) => s + x.amount, 0n) : 0n
    primary.balance = gasSum - charged - moved
    primary.version = lamport
    primary.digest = newDigest()
    for (const o of created) this.#objects.set(o.id, o)

    const ref = (o: FakeObject): { objectId: string; version: string; digest: string } => ({
      objectId: o.id,
      version: String(o.version),
      digest: o.digest
    })
    // balance changes per owner, as the node computes them from input and output coins: the sender's
    // includes the gas it paid; zero changes are left out
    const changes = new Map<string, bigint>([[sender, -(charged + moved)]])
    if (error == null) for (const s of sends) changes.set(s.to, (changes.get(s.to) ?? 0n) + s.amount)
    const balanceChanges = [...changes]
      .filter(([, amount]) => amount !== 0n)
      .map(([owner, amount]) => ({ owner: { AddressOwner: owner }, coinType: COIN_TYPE, amount: String(amount) }))
    // SenderSignedData: [{ intentMessage: { intent (TransactionData, V0, Iota), value: TransactionData }, txSignatures }]
    const rawTransaction = toBase64(
      bcs.SenderSignedData.serialize([
        {
          intentMessage: {
            intent: { scope: { TransactionData: true }, version: { V0: true }, appId: { Iota: true } },
            value: bcs.TransactionData.parse(bytes)
          },
          txSignatures: signatures
        }
      ]).toBytes()
    )
    const status = error == null ? { status: 'success' } : { status: 'failure', error }
    const response: Record<string, unknown> = {
      digest,
      effects: {
        messageVersion: 'v1',
        status,
        executedEpoch: '1',
        gasUsed: {
          computationCost: String(computation),
          computationCostBurned: String(computation),
          storageCost: String(storage),
          storageRebate: '0',
          nonRefundableStorageFee: '0'
        },
        transactionDigest: digest,
        gasObject: { owner: { AddressOwner: sender }, reference: ref(primary) },
        created: created.map(o => ({ owner: { AddressOwner: o.owner }, reference: ref(o) })),
        mutated: [{ owner: { AddressOwner: sender }, reference: ref(primary) }],
        deleted: deleted.map(d => ({ objectId: d.id, version: String(lamport), digest: '7gyGAp71YXQRoxmFBaHxofQXAipvgHyBKPyxmdSJxyvz' })),
        dependencies: []
      },
      objectChanges: [
        {
          type: 'mutated',
          sender,
          owner: { AddressOwner: sender },
          objectType: primary.type,
          objectId: primary.id,
          version: String(lamport),
          previousVersion: '1',
          digest: primary.digest
        },
        ...created.map(o => ({
          type: 'created',
          sender,
          owner: { AddressOwner: o.owner },
          objectType: o.type,
          objectId: o.id,
          version: String(o.version),
          digest: o.digest
        }))
      ],
      balanceChanges,
      rawTransaction,
      timestampMs: String(1_750_000_000_000 + this.#checkpoint * 250),
      confirmedLocalExecution: true,
      checkpoint: String(this.#checkpoint++)
    }
    this.#responses.set(digest, response)
    this.executions.push({ digest, bytes, signatures, status: error == null ? 'success' : 'failure', ...(error != null ? { error } : {}) })
    return response
  }
}
