import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { bcs } from '@iota/iota-sdk/bcs'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import { fromBase64, normalizeIotaAddress, normalizeIotaObjectId, toBase58, toBase64 } from '@iota/iota-sdk/utils'
import { verifyTransactionSignature } from '@iota/iota-sdk/verify'

/**
 * FakeIotaRpc: a TEST DOUBLE that stands in for an IOTA Rebased full node, which cannot be reached from
 * here. A real HTTP server on 127.0.0.1 speaking JSON-RPC 2.0, implementing only the methods the `iota`
 * adapter's flows call through @iota/iota-sdk:
 *
 *   iotax_getReferenceGasPrice, iotax_getCoins, iotax_getBalance, iota_getChainIdentifier,
 *   iota_executeTransactionBlock, iota_getTransactionBlock
 *
 * Responses carry what the request's options ask for, as a full node's do: effects (showEffects),
 * objectChanges (showObjectChanges), balanceChanges (showBalanceChanges: per owner and coin type, amounts
 * as strings, the sender's negative and including the gas it paid) and rawTransaction (showRawInput: base64
 * of BCS SenderSignedData, the signed transaction); digest, timestampMs and checkpoint always. Options it
 * does not implement (showInput, showEvents, showRawEffects) are answered with an error, never ignored.
 *
 * It keeps a toy ledger of coin objects (ids, versions, digests, owners, balances) and really executes the
 * two kinds of programmable transaction the adapter builds: it checks the sender's signature with the
 * SDK's verifier, the gas coins' versions, the gas price and budget, splits and transfers coins, creates
 * a notarization object for `locked_notarization::create`, charges a fixed gas fee, and fails with
 * `InsufficientCoinBalance` when the splits exceed what the gas coins hold beyond the budget, as the real
 * node does. Executing bytes it has already executed returns the earlier result (like a full node).
 *
 * It is not IOTA: no consensus, no checkpoints beyond a counter, no Move VM, gas costs are constants.
 * Fault injection: failNext() answers the next N calls with an HTTP status; dropNextExecute() closes the
 * connection of the next execute, before or after executing (a crash, or a lost response);
 * failNextExecutionWith() executes the next transaction as a failure; delayNext() answers late; spend()
 * and prune() change the ledger behind the adapter's back; swapResponses() makes the node answer a lookup
 * with another transaction. POST /gas is a faucet.
 */

const COIN_TYPE = '0x2::iota::IOTA'

interface FakeObject {
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

export interface FakeIotaRpcOptions {
  /** iota_getChainIdentifier; default: testnet's */
  chainId?: string
  referenceGasPrice?: number
  /** charged on every executed transaction */
  computationCost?: number
  /** charged per object created or mutated on success */
  storageCostPerObject?: number
  /** the package whose locked_notarization::create is honoured; default: testnet's notarization package */
  notarizationPackageId?: string
  /** the address it listens on; default 127.0.0.1 (the soak in network namespaces gives its bridge's) */
  host?: string
}

type Fault =
  | { kind: 'status'; status: number; method?: string }
  | { kind: 'drop-execute'; when: 'before' | 'after' }
  | { kind: 'execution-failure'; error: string }
  | { kind: 'delay'; ms: number; method: string }

class RpcError extends Error {
  readonly code: number
  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

function newDigest(): string {
  return toBase58(new Uint8Array(randomBytes(32)))
}

const SHOWN: Record<string, string> = {
  showEffects: 'effects',
  showObjectChanges: 'objectChanges',
  showBalanceChanges: 'balanceChanges',
  showRawInput: 'rawTransaction'
}
const NOT_IMPLEMENTED = ['showInput', 'showEvents', 'showRawEffects']

function responseOptions(raw: unknown): Record<string, boolean> {
  const options = (raw ?? {}) as Record<string, boolean>
  const missing = NOT_IMPLEMENTED.filter(k => options[k] === true)
  if (missing.length > 0) throw new RpcError(-32602, `FakeIotaRpc does not implement the response option(s) ${missing.join(', ')}`)
  return options
}

/** A stored response cut down to what `options` ask for, as a full node answers. */
function shape(full: Record<string, unknown>, options: Record<string, boolean>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(full)) {
    const option = Object.keys(SHOWN).find(o => SHOWN[o] === k)
    if (option == null || options[option] === true) out[k] = v
  }
  return out
}
function newId(): string {
  return '0x' + randomBytes(32).toString('hex')
}

export class FakeIotaRpc {
  readonly url: string
  /** method of every request that reached the server, in order (faulted ones too) */
  readonly calls: string[] = []
  /** methods asked for that the double does not implement */
  readonly unknownMethods: string[] = []
  /** every transaction the ledger executed, once each */
  readonly executions: ExecutedTransaction[] = []
  /** digest of every execute request that reached the ledger (re-sends of the same bytes too) */
  readonly submissions: string[] = []
  readonly #server: Server
  readonly #objects = new Map<string, FakeObject>()
  readonly #responses = new Map<string, Record<string, unknown>>()
  readonly #faults: Fault[] = []
  readonly #o: Required<Omit<FakeIotaRpcOptions, 'host'>>
  #checkpoint = 1

  private constructor(server: Server, url: string, o: Required<Omit<FakeIotaRpcOptions, 'host'>>) {
    this.#server = server
    this.url = url
    this.#o = o
  }

  static async start(options: FakeIotaRpcOptions = {}): Promise<FakeIotaRpc> {
    const o: Required<Omit<FakeIotaRpcOptions, 'host'>> = {
      chainId: options.chainId ?? '2304aa97',
      referenceGasPrice: options.referenceGasPrice ?? 1000,
      computationCost: options.computationCost ?? 1_000_000,
      storageCostPerObject: options.storageCostPerObject ?? 500_000,
      notarizationPackageId: normalizeIotaObjectId(
        options.notarizationPackageId ?? '0x00412bd469b7f980227c6c574090348239852e43aa07818b315854fdd8a2d25f'
      )
    }
    let fake: FakeIotaRpc | undefined
    const server = createServer((req, res) => {
      fake!.#handle(req, res)
    })
    const host = options.host ?? '127.0.0.1'
    await new Promise<void>(resolve => server.listen(0, host, resolve))
    const { port } = server.address() as AddressInfo
    fake = new FakeIotaRpc(server, `http://${host}:${port}`, o)
    return fake
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>(resolve => this.#server.close(() => resolve()))
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

  balanceOf(address: string): bigint {
    const a = normalizeIotaAddress(address)
    return this.#coinsOf(a).reduce((s, c) => s + c.balance, 0n)
  }

  /** Objects of a Move type (by a substring of the type) owned by `address`. */
  objectsOf(address: string, typeContains: string): Array<{ id: string; type: string }> {
    const a = normalizeIotaAddress(address)
    return [...this.#objects.values()].filter(o => o.owner === a && o.type.includes(typeContains)).map(o => ({ id: o.id, type: o.type }))
  }

  /** Answers the next `n` requests (of `method`, if given) with HTTP `status` instead of serving them. */
  failNext(n: number, status = 503, method?: string): void {
    for (let i = 0; i < n; i++) this.#faults.push({ kind: 'status', status, method })
  }

  /**
   * Closes the connection of the next execute request without answering: 'before' it reaches the ledger
   * (the node never saw it), or 'after' the ledger executed it (the answer is lost).
   */
  dropNextExecute(when: 'before' | 'after'): void {
    this.#faults.push({ kind: 'drop-execute', when })
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

  /** Serves the next request of `method` only after `ms` (the client may give up meanwhile; the node does not). */
  delayNext(method: string, ms: number): void {
    this.#faults.push({ kind: 'delay', ms, method })
  }

  /** Forgets every injected fault not yet used. */
  clearFaults(): void {
    this.#faults.length = 0
  }

  /** Executes the next new transaction as a failure with this error (gas is charged, nothing else moves). */
  failNextExecutionWith(error: string): void {
    this.#faults.push({ kind: 'execution-failure', error })
  }

  /** Another transaction spends this object: its version and digest move on. */
  spend(objectId: string): void {
    const o = this.#objects.get(normalizeIotaObjectId(objectId))
    if (o == null) throw new Error(`no object ${objectId}`)
    o.version += 1
    o.digest = newDigest()
  }

  /** Ids of the coins `address` owns now. */
  coinsOf(address: string): string[] {
    return this.#coinsOf(normalizeIotaAddress(address)).map(c => c.id)
  }

  #coinsOf(owner: string): FakeObject[] {
    return [...this.#objects.values()]
      .filter(o => o.owner === owner && o.type === `0x2::coin::Coin<${COIN_TYPE}>`)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      if (req.url === '/gas' || req.url === '/v1/gas') {
        this.#faucet(body, res)
        return
      }
      let msg: { id: number; method: string; params: unknown[] }
      try {
        msg = JSON.parse(body)
      } catch {
        res.writeHead(400).end('bad json')
        return
      }
      this.calls.push(msg.method)
      const di = this.#faults.findIndex(f => f.kind === 'delay' && f.method === msg.method)
      const delay = di >= 0 ? (this.#faults.splice(di, 1)[0] as { ms: number }).ms : 0
      const fi = this.#faults.findIndex(f =>
        f.kind === 'status'
          ? f.method == null || f.method === msg.method
          : f.kind === 'drop-execute' && msg.method === 'iota_executeTransactionBlock'
      )
      const fault = fi >= 0 ? this.#faults.splice(fi, 1)[0] : undefined
      if (delay > 0) {
        setTimeout(() => {
          this.#serve(msg, fault, req, res)
        }, delay)
        return
      }
      this.#serve(msg, fault, req, res)
    })
  }

  /** The faucet of a test network: POST /gas {"FixedAmountRequest":{"recipient":"0x…"}} gives 10 IOTA. */
  #faucet(body: string, res: ServerResponse): void {
    try {
      const recipient = (JSON.parse(body) as { FixedAmountRequest: { recipient: string } }).FixedAmountRequest.recipient
      const id = this.fund(recipient, 10_000_000_000n)
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ transferredGasObjects: [{ amount: 10_000_000_000, id, transferTxDigest: newDigest() }], error: null }))
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ transferredGasObjects: [], error: String(e) }))
    }
  }

  #serve(
    msg: { id: number; method: string; params: unknown[] },
    fault: Fault | undefined,
    req: IncomingMessage,
    res: ServerResponse
  ): void {
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end('injected failure')
      return
    }
    if (fault?.kind === 'drop-execute' && fault.when === 'before') {
      req.socket.destroy()
      return
    }
    this.#dispatch(msg.method, msg.params ?? [])
      .then(
        result => ({ jsonrpc: '2.0', id: msg.id, result }),
        (e: unknown) => {
          const err = e instanceof RpcError ? e : new RpcError(-32603, String(e))
          return { jsonrpc: '2.0', id: msg.id, error: { code: err.code, message: err.message } }
        }
      )
      .then(
        reply => {
          if (fault?.kind === 'drop-execute') {
            req.socket.destroy()
            return
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply))
        },
        () => {
          res.writeHead(500).end()
        }
      )
  }

  async #dispatch(method: string, params: unknown[]): Promise<unknown> {
    switch (method) {
      case 'iotax_getReferenceGasPrice':
        return String(this.#o.referenceGasPrice)
      case 'iota_getChainIdentifier':
        return this.#o.chainId
      case 'iotax_getBalance': {
        const owner = normalizeIotaAddress(String(params[0]))
        const coins = this.#coinsOf(owner)
        return {
          coinType: COIN_TYPE,
          coinObjectCount: coins.length,
          totalBalance: String(coins.reduce((s, c) => s + c.balance, 0n)),
          lockedBalance: {}
        }
      }
      case 'iotax_getCoins': {
        const owner = normalizeIotaAddress(String(params[0]))
        const cursor = params[2] as string | null | undefined
        const limit = (params[3] as number | null | undefined) ?? 50
        const all = this.#coinsOf(owner)
        const start = cursor == null ? 0 : all.findIndex(c => c.id === cursor) + 1
        const page = all.slice(start, start + limit)
        const hasNextPage = start + limit < all.length
        return {
          data: page.map(c => ({
            coinType: COIN_TYPE,
            coinObjectId: c.id,
            version: String(c.version),
            digest: c.digest,
            balance: String(c.balance),
            previousTransaction: newDigest()
          })),
          nextCursor: page.length > 0 ? page[page.length - 1].id : null,
          hasNextPage
        }
      }
      case 'iota_getTransactionBlock': {
        const digest = String(params[0])
        const options = responseOptions(params[1])
        const r = this.#responses.get(digest)
        if (r == null) throw new RpcError(-32602, `Could not find the referenced transaction [TransactionDigest(${digest})].`)
        return shape(r, options)
      }
      case 'iota_executeTransactionBlock': {
        const options = responseOptions(params[2])
        const { checkpoint: _c, ...r } = await this.#execute(String(params[0]), params[1] as string[])
        // an execute answers before the transaction is in a checkpoint
        return shape(r, options)
      }
      default:
        this.unknownMethods.push(method)
        throw new RpcError(-32601, `Method not found: ${method} (FakeIotaRpc does not implement it)`)
    }
  }

  /** Executes (once) and returns the full stored response, every field a full node can show. */
  async #execute(txB64: string, signatures: string[]): Promise<Record<string, unknown>> {
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
    const injected = this.#faults.findIndex(f => f.kind === 'execution-failure')
    let error: string | undefined = injected >= 0 ? (this.#faults.splice(injected, 1)[0] as { error: string }).error : undefined
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
