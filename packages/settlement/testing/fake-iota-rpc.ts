import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { normalizeIotaAddress, normalizeIotaObjectId } from '@iota/iota-sdk/utils'
import { COIN_TYPE, type ExecutedTransaction, FakeLedger, newDigest } from './fake-ledger.ts'
import { RpcError, responseOptions, shape } from './fake-rpc-replies.ts'

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
 * It keeps a toy ledger of coin objects (ids, versions, digests, owners, balances: fake-ledger.ts) and
 * really executes the two kinds of programmable transaction the adapter builds: it checks the sender's
 * signature with the SDK's verifier, the gas coins' versions, the gas price and budget, splits and
 * transfers coins, creates a notarization object for `locked_notarization::create`, charges a fixed gas
 * fee, and fails with `InsufficientCoinBalance` when the splits exceed what the gas coins hold beyond the
 * budget, as the real node does. Executing bytes it has already executed returns the earlier result (like
 * a full node).
 *
 * It is not IOTA: no consensus, no checkpoints beyond a counter, no Move VM, gas costs are constants.
 * Fault injection: failNext() answers the next N calls with an HTTP status; dropNextExecute() closes the
 * connection of the next execute, before or after executing (a crash, or a lost response);
 * failNextExecutionWith() executes the next transaction as a failure; delayNext() answers late; spend()
 * and prune() change the ledger behind the adapter's back; swapResponses() makes the node answer a lookup
 * with another transaction. POST /gas is a faucet.
 */

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

export class FakeIotaRpc {
  readonly url: string
  /** method of every request that reached the server, in order (faulted ones too) */
  readonly calls: string[] = []
  /** methods asked for that the double does not implement */
  readonly unknownMethods: string[] = []
  /** every transaction the ledger executed, once each */
  readonly executions: ExecutedTransaction[]
  /** digest of every execute request that reached the ledger (re-sends of the same bytes too) */
  readonly submissions: string[]
  readonly #server: Server
  readonly #ledger: FakeLedger
  readonly #faults: Fault[] = []
  readonly #o: Required<Omit<FakeIotaRpcOptions, 'host'>>

  private constructor(server: Server, url: string, o: Required<Omit<FakeIotaRpcOptions, 'host'>>) {
    this.#server = server
    this.url = url
    this.#o = o
    this.#ledger = new FakeLedger(o)
    this.executions = this.#ledger.executions
    this.submissions = this.#ledger.submissions
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
    return this.#ledger.fund(address, amount)
  }

  balanceOf(address: string): bigint {
    const a = normalizeIotaAddress(address)
    return this.#ledger.coins(a).reduce((s, c) => s + c.balance, 0n)
  }

  /** Objects of a Move type (by a substring of the type) owned by `address`. */
  objectsOf(address: string, typeContains: string): Array<{ id: string; type: string }> {
    return this.#ledger.objectsOf(address, typeContains)
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
    this.#ledger.prune(digest)
  }

  /** A lying or broken node: from now on it answers lookups of `a` with the transaction `b`, and of `b` with `a`. */
  swapResponses(a: string, b: string): void {
    this.#ledger.swapResponses(a, b)
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
    this.#ledger.spend(objectId)
  }

  /** Ids of the coins `address` owns now. */
  coinsOf(address: string): string[] {
    return this.#ledger.coins(normalizeIotaAddress(address)).map(c => c.id)
  }

  /** The error failNextExecutionWith() injected for the next new transaction, taken from the faults; none: undefined. */
  #takeExecutionFailure(): string | undefined {
    const injected = this.#faults.findIndex(f => f.kind === 'execution-failure')
    return injected >= 0 ? (this.#faults.splice(injected, 1)[0] as { error: string }).error : undefined
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
        const coins = this.#ledger.coins(owner)
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
        const all = this.#ledger.coins(owner)
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
        const r = this.#ledger.response(digest)
        if (r == null) throw new RpcError(-32602, `Could not find the referenced transaction [TransactionDigest(${digest})].`)
        return shape(r, options)
      }
      case 'iota_executeTransactionBlock': {
        const options = responseOptions(params[2])
        const { checkpoint: _c, ...r } = await this.#ledger.execute(String(params[0]), params[1] as string[], () =>
          this.#takeExecutionFailure()
        )
        // an execute answers before the transaction is in a checkpoint
        return shape(r, options)
      }
      default:
        this.unknownMethods.push(method)
        throw new RpcError(-32601, `Method not found: ${method} (FakeIotaRpc does not implement it)`)
    }
  }
}
