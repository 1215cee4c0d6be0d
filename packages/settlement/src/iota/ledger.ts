import {
  IotaClient,
  IotaHTTPStatusError,
  JsonRpcError,
  getFullnodeUrl,
  type CoinStruct,
  type PaginatedCoins,
  type IotaTransactionBlockResponse,
  type IotaTransactionBlockResponseOptions
} from '@iota/iota-sdk/client'
import type { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { Transaction, TransactionDataBuilder, type ObjectRef } from '@iota/iota-sdk/transactions'
import { IOTA_TYPE_ARG, fromBase64, normalizeIotaObjectId, toBase64 } from '@iota/iota-sdk/utils'
import { SettlementError, TransientLedgerError } from '../port.ts'
import type { ResolvedIotaSettlementOptions } from './config.ts'
import { IotaErrorCode, describeFailure, fundHint, isNotFound, isTransient, messageOf, type FailureContext } from './errors.ts'
import type { TxJournal, TxRecord } from './journal.ts'
import { withRetry, type CallPolicy } from './retry.ts'

/** A built, signed transaction, and its digest computed from the signed bytes before anything is sent. */
export interface SignedTransaction {
  /** BCS TransactionData */
  readonly bytes: Uint8Array
  /** serialized signature: flag ‖ Ed25519 signature ‖ public key, base64 */
  readonly signature: string
  readonly digest: string
}

/**
 * Builds and signs a transaction whose sender, gas price, budget and payment are all set, so that building
 * needs no full node (the SDK throws if something would have to be looked up).
 */
export async function signTransaction(tx: Transaction, keypair: Ed25519Keypair): Promise<SignedTransaction> {
  const bytes = await tx.build()
  const { signature } = await keypair.signTransaction(bytes)
  return { bytes, signature, digest: TransactionDataBuilder.getDigestFromBytes(bytes) }
}

export interface GasSettings {
  readonly price: number | bigint
  readonly budget: number | bigint
  /** the coins that pay the gas; the first receives the change (IOTA merges the others into it) */
  readonly payment: readonly ObjectRef[]
}

/** The gas coins a signed transaction spends, read back from its bytes. */
export function gasPaymentOf(bytes: string | Uint8Array): Array<{ objectId: string; version: string; digest: string }> {
  const data = Transaction.from(typeof bytes === 'string' ? fromBase64(bytes) : bytes).getData()
  return (data.gasData.payment ?? []).map(p => ({ objectId: p.objectId, version: String(p.version), digest: p.digest }))
}

const RESPONSE_OPTIONS: IotaTransactionBlockResponseOptions = { showEffects: true, showObjectChanges: true }
// IOTA accepts at most this many gas coins in one transaction (protocol max_gas_payment_objects)
const MAX_GAS_COINS = 256
const MAX_COIN_PAGES = 100

/**
 * The crash-safe core shared by payments and attestations: one IOTA client, one key, one journal, and one
 * queue, so that this adapter never signs a new transaction while an earlier one may still execute (two
 * signed transactions on the same gas coin could lock it until the epoch ends).
 *
 * The discipline, for each idempotency key:
 * 1. build and sign; compute the digest from the signed bytes;
 * 2. write { digest, bytes, signature, status: 'submitted' } (write before send);
 * 3. execute; wait until the full node shows it; write 'confirmed' or 'failed'.
 * After a crash anywhere, the record is 'submitted': it is looked up by digest, and if the ledger does not
 * know it, the same bytes are sent again. Same bytes, same digest: one transaction, whatever happens.
 * A new transaction for a key is built only when the earlier one has failed for good (executed with a
 * failure status, or refused by the network), and it spends every gas coin the failed one would have spent
 * that is still unspent, so the two can never both execute. One exception is left to a person: bytes that
 * may have executed (re-sent after a crash or a lost answer) that the network now refuses because their
 * coins are spent, while the full node does not know their digest. That is what a transaction executed
 * long ago looks like on a full node that has pruned it, so nothing new is built for that key until an
 * operator says what an archive node shows (settleByHand); other keys go on.
 */
export class IotaLedger {
  readonly client: IotaClient
  readonly keypair: Ed25519Keypair
  readonly address: string
  readonly options: ResolvedIotaSettlementOptions
  readonly journal: TxJournal
  /** 'testnet', 'mainnet', … or the URL */
  readonly networkLabel: string
  readonly #policy: CallPolicy
  #tail: Promise<unknown> = Promise.resolve()
  #chainId: string | undefined

  constructor(options: ResolvedIotaSettlementOptions, keypair: Ed25519Keypair, journal: TxJournal) {
    this.options = options
    this.keypair = keypair
    this.address = keypair.toIotaAddress()
    this.journal = journal
    this.networkLabel = options.network === 'custom' ? (options.url ?? 'custom') : options.network
    this.client = options.client ?? new IotaClient({ url: options.url ?? getFullnodeUrl(options.network) })
    this.#policy = { ...options.retry, requestTimeoutMs: options.requestTimeoutMs }
  }

  /** Runs `fn` after every earlier exclusive call of this adapter has settled. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn)
    this.#tail = run.catch(() => {})
    return await run
  }

  /** One JSON-RPC call, with a deadline, the caller's signal, and retries of transient failures. */
  async call<T>(what: string, fn: () => Promise<T>, signal?: AbortSignal, onRetry?: (attempt: number, error: unknown) => void): Promise<T> {
    try {
      return await withRetry(what, fn, this.#policy, signal, onRetry)
    } catch (e) {
      if (e instanceof IotaHTTPStatusError && !isTransient(e)) {
        throw new SettlementError(
          'rpc-http-' + String(e.status),
          `${what}: the full node at ${this.networkLabel} answered HTTP ${e.status} ${e.statusText}; check the network option`,
          { cause: e }
        )
      }
      throw e
    }
  }

  failureContext(digest?: string): FailureContext {
    return { address: this.address, network: this.networkLabel, gasBudget: this.options.gasBudget, digest }
  }

  errorOf(record: TxRecord): SettlementError {
    return new SettlementError(
      record.error?.code ?? IotaErrorCode.executionFailed,
      record.error?.message ?? `transaction ${record.digest} failed`
    )
  }

  async chainIdentifier(signal?: AbortSignal): Promise<string> {
    this.#chainId ??= await this.call('get chain identifier', async () => await this.client.getChainIdentifier(), signal)
    return this.#chainId
  }

  async gasPrice(signal?: AbortSignal): Promise<bigint> {
    if (this.options.gasPrice != null) return BigInt(this.options.gasPrice)
    return await this.call('get reference gas price', async () => await this.client.getReferenceGasPrice(), signal)
  }

  async balance(address: string, signal?: AbortSignal): Promise<bigint> {
    const b = await this.call(
      `get balance of ${address}`,
      async () => await this.client.getBalance({ owner: address, coinType: IOTA_TYPE_ARG }),
      signal
    )
    return BigInt(b.totalBalance)
  }

  async #coins(signal?: AbortSignal): Promise<CoinStruct[]> {
    const coins: CoinStruct[] = []
    let cursor: string | null | undefined = null
    for (let page = 0; page < MAX_COIN_PAGES; page++) {
      const c: string | null | undefined = cursor
      const res: PaginatedCoins = await this.call(
        `list coins of ${this.address}`,
        async (): Promise<PaginatedCoins> => await this.client.getCoins({ owner: this.address, coinType: IOTA_TYPE_ARG, cursor: c }),
        signal
      )
      coins.push(...res.data)
      if (!res.hasNextPage || res.nextCursor == null) break
      cursor = res.nextCursor
    }
    return coins
  }

  /**
   * Picks gas coins worth at least `needed` nanos, largest first. Every coin of `mustSpend` that is still
   * unspent at the same version is taken as well (see the class comment); those that are not come back as
   * `spent`.
   */
  async selectGas(
    needed: bigint,
    mustSpend: readonly ObjectRef[],
    signal?: AbortSignal
  ): Promise<{ payment: ObjectRef[]; spent: ObjectRef[] }> {
    const coins = await this.#coins(signal)
    const byId = new Map(coins.map(c => [normalizeIotaObjectId(c.coinObjectId), c]))
    const chosen: CoinStruct[] = []
    const spent: ObjectRef[] = []
    let sum = 0n
    for (const ref of mustSpend) {
      const c = byId.get(normalizeIotaObjectId(ref.objectId))
      if (c != null && String(c.version) === String(ref.version) && c.digest === ref.digest) {
        if (!chosen.includes(c)) {
          chosen.push(c)
          sum += BigInt(c.balance)
        }
      } else {
        spent.push(ref)
      }
    }
    const sorted = [...coins].sort((a, b) => {
      const d = BigInt(b.balance) - BigInt(a.balance)
      return d > 0n ? 1 : d < 0n ? -1 : 0
    })
    for (const c of sorted) {
      if (sum >= needed || chosen.length >= MAX_GAS_COINS) break
      if (!chosen.includes(c)) {
        chosen.push(c)
        sum += BigInt(c.balance)
      }
    }
    if (sum < needed) {
      const total = coins.reduce((s, c) => s + BigInt(c.balance), 0n)
      const why =
        total >= needed
          ? `they are spread over ${coins.length} coins, more than the ${MAX_GAS_COINS} one transaction may spend: merge coins first`
          : fundHint(this.failureContext())
      throw new SettlementError(
        IotaErrorCode.insufficientFunds,
        `${this.address} holds ${total} nanos in ${coins.length} coin(s); this transaction ` +
          `needs ${needed} (what it moves plus the gas budget of ${this.options.gasBudget}); ${why}`
      )
    }
    return { payment: chosen.map(c => ({ objectId: c.coinObjectId, version: c.version, digest: c.digest })), spent }
  }

  /**
   * Gas for a new transaction under `key`, given the earlier attempt (if any). An earlier attempt that
   * executed with a failure is dead; one the network refused is dead once its coins are spent, and until
   * then the new attempt spends them too. One refused after it may already have executed (a re-send, or a
   * send after a lost answer) whose coins are spent, while the ledger does not know its digest, is an
   * unknown outcome: it may have executed on a full node that has since pruned it, so nothing new is built.
   */
  async gasFor(needed: bigint, earlier: TxRecord | undefined, signal?: AbortSignal): Promise<ObjectRef[]> {
    const mustSpend = earlier != null && earlier.executed !== true ? gasPaymentOf(earlier.bytes) : []
    const { payment, spent } = await this.selectGas(needed, mustSpend, signal)
    if (earlier?.uncertain === true && spent.length > 0) {
      const known = await this.lookup(earlier.digest, signal)
      if (known == null) {
        const message =
          `transaction ${earlier.digest} (${earlier.kind} ${earlier.key}) may have executed: the network ` +
          `no longer lets it run (its gas coin ${spent[0].objectId} version ${String(spent[0].version)} is ` +
          `spent), but the full node does not know it (a pruning full node, or another wallet using this ` +
          `key spent the coin). Look ${earlier.digest} up on an archive node or the explorer, then call ` +
          `settleByHand('${earlier.kind}', '${earlier.key}', '${earlier.digest}', executed) with what you found`
        await this.journal.put({ ...earlier, error: { code: IotaErrorCode.outcomeUnknown, message } })
        throw new SettlementError(IotaErrorCode.outcomeUnknown, message)
      }
      await this.#finish(earlier, known, signal)
      throw new SettlementError(
        IotaErrorCode.unexpected,
        `transaction ${earlier.digest} turned out to be on the ledger after all; call again`
      )
    }
    return payment
  }

  /**
   * The ledger's record of a transaction, or undefined when the full node does not know the digest. By
   * default it asks for what the adapter's own bookkeeping reads (effects and object changes).
   */
  async lookup(
    digest: string,
    signal?: AbortSignal,
    options: IotaTransactionBlockResponseOptions = RESPONSE_OPTIONS
  ): Promise<IotaTransactionBlockResponse | undefined> {
    try {
      return await this.call(
        `look up transaction ${digest}`,
        async () => await this.client.getTransactionBlock({ digest, options }),
        signal
      )
    } catch (e) {
      if (isNotFound(e)) return undefined
      throw e
    }
  }

  /** Write before send: stores the signed transaction as 'submitted', then executes it. */
  async send(record: TxRecord, signal?: AbortSignal): Promise<TxRecord> {
    if (record.status !== 'submitted') throw new Error('send() takes a record in status submitted')
    await this.journal.put(record)
    return await this.#submit(record, false, signal)
  }

  /**
   * Brings a 'submitted' record to its outcome: looks its digest up, and if the ledger does not know it,
   * sends the same signed bytes again. Returns the record as stored afterwards ('confirmed' or 'failed');
   * throws a TransientLedgerError while the outcome cannot be known.
   */
  async resolve(record: TxRecord, signal?: AbortSignal): Promise<TxRecord> {
    if (record.status !== 'submitted') return record
    const known = await this.lookup(record.digest, signal)
    if (known != null) return await this.#finish(record, known, signal)
    return await this.#submit(record, true, signal)
  }

  /**
   * A read: for a 'submitted' record, asks the ledger once and returns what it says, without sending and
   * without writing (the next pay or attest stores it). Transient errors leave the record as it is.
   */
  async refresh(record: TxRecord, signal?: AbortSignal): Promise<TxRecord> {
    if (record.status !== 'submitted') return record
    try {
      const known = await this.lookup(record.digest, signal)
      return known?.effects != null ? this.#outcome(record, known, known) : record
    } catch (e) {
      if (isTransient(e)) return record
      throw e
    }
  }

  /**
   * For an operator, after an 'outcome-unknown' error: records what an archive node or the explorer says
   * about `digest`. executed = true marks it confirmed; false lets the next call build a new transaction.
   */
  async settleByHand(kind: TxRecord['kind'], key: string, digest: string, executed: boolean): Promise<TxRecord> {
    return await this.exclusive(async () => {
      const r = await this.journal.get(kind, key)
      if (r == null) throw new SettlementError(IotaErrorCode.invalidRequest, `no ${kind} under key ${key}`)
      if (r.digest !== digest)
        throw new SettlementError(IotaErrorCode.invalidRequest, `the ${kind} under key ${key} is transaction ${r.digest}, not ${digest}`)
      if (r.status === 'confirmed')
        throw new SettlementError(
          IotaErrorCode.invalidRequest,
          `transaction ${digest} is confirmed on the ledger; there is nothing to settle by hand`
        )
      const done: TxRecord = executed
        ? { ...r, status: 'confirmed', at: this.options.now(), uncertain: false, error: undefined }
        : {
            ...r,
            status: 'failed',
            uncertain: false,
            error: { code: IotaErrorCode.settledByHand, message: `transaction ${digest} did not execute (said by the operator)` }
          }
      await this.journal.put(done)
      return done
    })
  }

  /** Resolves every record left 'submitted' (by a crash, or a call that gave up), except `exceptId`. */
  async settlePending(signal?: AbortSignal, exceptId?: string): Promise<void> {
    for (const r of await this.journal.pendingRecords()) {
      if (`${r.kind}/${r.key}` === exceptId) continue
      try {
        await this.resolve(r, signal)
      } catch (e) {
        if (e instanceof TransientLedgerError)
          throw new TransientLedgerError(
            `an earlier transaction (${r.kind} ${r.key}, ${r.digest}) is still unresolved, so no new one is signed: ${e.message}`,
            { cause: e }
          )
        throw e
      }
    }
  }

  /** `resend`: these bytes may have been sent before (after a crash, or a call that gave up). */
  async #submit(record: TxRecord, resend: boolean, signal?: AbortSignal): Promise<TxRecord> {
    let response: IotaTransactionBlockResponse
    // true once a send of these bytes may have reached the validators without us hearing the outcome
    let uncertain = resend
    try {
      response = await this.call(
        `execute transaction ${record.digest}`,
        async () =>
          await this.client.executeTransactionBlock({
            transactionBlock: record.bytes,
            signature: record.signature,
            options: RESPONSE_OPTIONS
          }),
        signal,
        () => {
          uncertain = true
        }
      )
    } catch (e) {
      if (!(e instanceof JsonRpcError) || isTransient(e)) throw e
      // The network refused it. A re-sent transaction that already executed can be refused for its spent
      // coins, so ask the ledger before calling it failed.
      const known = await this.lookup(record.digest, signal)
      if (known != null) return await this.#finish(record, known, signal)
      const failed: TxRecord = {
        ...record,
        status: 'failed',
        error: describeFailure(e.message, this.failureContext(record.digest)),
        ...(uncertain ? { uncertain: true } : {})
      }
      await this.journal.put(failed)
      return failed
    }
    if (response.digest !== record.digest)
      throw new SettlementError(
        IotaErrorCode.unexpected,
        `the full node executed ${response.digest} for the signed transaction ${record.digest}: the stored bytes and the digest disagree`
      )
    return await this.#finish(record, response, signal)
  }

  /** Waits until the full node shows the transaction (best effort once effects are known), then stores its outcome. */
  async #finish(record: TxRecord, response: IotaTransactionBlockResponse, signal?: AbortSignal): Promise<TxRecord> {
    let final = response
    if (final.checkpoint == null) {
      try {
        final = await this.client.waitForTransaction({
          digest: record.digest,
          options: RESPONSE_OPTIONS,
          signal,
          timeout: this.options.confirmTimeoutMs,
          pollInterval: this.options.pollIntervalMs
        })
      } catch (e) {
        if (signal?.aborted === true) throw signal.reason
        // effects from execution are final (certified by the validators); only the full node's index lags
        if (response.effects == null)
          throw new TransientLedgerError(
            `transaction ${record.digest} was not shown by the full node within ${this.options.confirmTimeoutMs} ` +
              `ms (${messageOf(e)}); it stays 'submitted' and is looked up again on the next call`,
            { cause: e }
          )
      }
    }
    const done = this.#outcome(record, final, response)
    await this.journal.put(done)
    return done
  }

  #outcome(record: TxRecord, final: IotaTransactionBlockResponse, response: IotaTransactionBlockResponse): TxRecord {
    const effects = final.effects ?? response.effects
    if (effects == null)
      throw new TransientLedgerError(`the full node returned transaction ${record.digest} without its effects; it stays 'submitted'`)
    const at = final.timestampMs != null ? Number(final.timestampMs) : this.options.now()
    const checkpoint = final.checkpoint ?? undefined
    const created = (final.objectChanges ?? response.objectChanges ?? []).find(
      c => c.type === 'created' && /::notarization::Notarization</.test(c.objectType)
    )
    const objectId = created != null && 'objectId' in created ? created.objectId : undefined
    return effects.status.status === 'success'
      ? { ...record, status: 'confirmed', at, checkpoint, ...(objectId != null ? { objectId } : {}) }
      : {
          ...record,
          status: 'failed',
          executed: true,
          at,
          checkpoint,
          error: describeFailure(effects.status.error ?? 'execution failed', this.failureContext(record.digest))
        }
  }
}

export function recordBytes(signed: SignedTransaction): { digest: string; bytes: string; signature: string } {
  return { digest: signed.digest, bytes: toBase64(signed.bytes), signature: signed.signature }
}
