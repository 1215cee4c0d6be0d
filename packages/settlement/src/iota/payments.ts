import { bcs } from '@iota/iota-sdk/bcs'
import type { IotaTransactionBlockResponse, IotaTransactionBlockResponseOptions } from '@iota/iota-sdk/client'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import {
  IOTA_TYPE_ARG,
  fromBase64,
  isValidIotaAddress,
  isValidTransactionDigest,
  normalizeIotaAddress,
  normalizeIotaObjectId,
  normalizeStructTag
} from '@iota/iota-sdk/utils'
import {
  ATTESTATION_EXISTS,
  SettlementError,
  TransientLedgerError,
  type AttestationRequest,
  type PaymentReceipt,
  type PaymentRequest
} from '../port.ts'
import {
  ATTESTATION_COMMANDS,
  addAttestationCommands,
  carryingPayment,
  decodeAttestationTransaction,
  notarizationPackageOf,
  toAttestation,
  validateAttestation,
  type AttestationIntent
} from './attestation.ts'
import { IotaErrorCode, messageOf } from './errors.ts'
import { TxKind, type TxRecord } from './journal.ts'
import { gasPaymentOf, recordBytes, signTransaction, type GasSettings, type IotaLedger } from './ledger.ts'

export interface Transfer {
  readonly to: string
  readonly amount: number
}

/** The root a payment carries: the notarization package to call and what to anchor. */
export interface CarriedAttestation {
  readonly packageId: string
  readonly intent: AttestationIntent
}

/**
 * One programmable transaction that pays every recipient at once: split one coin per transfer off the gas
 * coin, then transfer each to its recipient. With `attestation`, the same transaction then anchors the
 * period's root: the three notarization Move calls of buildAttestationTransaction follow the transfers,
 * so the payment and the root execute together or not at all, for one transaction's gas. Nothing in it
 * needs a full node to build.
 */
export function buildPaymentTransaction(
  sender: string,
  transfers: readonly Transfer[],
  gas: GasSettings,
  attestation?: CarriedAttestation
): Transaction {
  const tx = new Transaction()
  tx.setSender(sender)
  tx.setGasPrice(gas.price)
  tx.setGasBudget(gas.budget)
  tx.setGasPayment([...gas.payment])
  const coins = tx.splitCoins(
    tx.gas,
    transfers.map(t => tx.pure.u64(t.amount))
  )
  transfers.forEach((t, i) => {
    tx.transferObjects([coins[i]], tx.pure.address(t.to))
  })
  if (attestation != null) addAttestationCommands(tx, attestation.packageId, attestation.intent)
  return tx
}

export interface DecodedPayment {
  readonly sender: string
  readonly transfers: Transfer[]
  readonly gasBudget: number
  readonly gasPrice: number
  readonly gasPayment: Array<{ objectId: string; version: string; digest: string }>
  /** the root the payment carries, when it carries one (its notarization's calls follow the transfers) */
  readonly attestation?: { readonly packageId: string; readonly root: string; readonly key: string; readonly leaves: number }
}

function pureBytes(data: ReturnType<Transaction['getData']>, arg: unknown): Uint8Array {
  const a = arg as { $kind?: string; Input?: number }
  if (a.$kind !== 'Input' || a.Input == null) throw new Error(`not a payment transaction: argument ${JSON.stringify(arg)} is not an input`)
  const input = data.inputs[a.Input]
  if (input?.Pure == null) throw new Error(`not a payment transaction: input ${a.Input} is not a pure value`)
  return fromBase64(input.Pure.bytes)
}

/**
 * Reads a payment transaction built by buildPaymentTransaction back from its BCS bytes: who pays, whom,
 * how much (integer nanos), the gas, and the root it carries if any. Throws when the bytes are not such a
 * transaction (after the transfers, only one attestation's three calls may follow).
 */
export function decodePaymentTransaction(bytes: Uint8Array | string): DecodedPayment {
  const raw = typeof bytes === 'string' ? fromBase64(bytes) : bytes
  const data = Transaction.from(raw).getData()
  const [split, ...rest] = data.commands
  if (split?.SplitCoins == null || split.SplitCoins.coin.$kind !== 'GasCoin')
    throw new Error('not a payment transaction: it does not start by splitting the gas coin')
  const amounts = split.SplitCoins.amounts.map(a => bcs.u64().parse(pureBytes(data, a)))
  const sends = rest.slice(0, amounts.length)
  const tail = rest.slice(amounts.length)
  if (sends.length !== amounts.length || (tail.length !== 0 && tail.length !== ATTESTATION_COMMANDS))
    throw new Error(`not a payment transaction: ${amounts.length} split coin(s) but ${rest.length} further command(s)`)
  let attestation: DecodedPayment['attestation']
  if (tail.length > 0) {
    // exactly addAttestationCommands' calls, of one package: nothing after the transfers may move a coin
    const calls = tail.map(c =>
      c.MoveCall != null ? `${normalizeIotaObjectId(c.MoveCall.package)}::${c.MoveCall.module}::${c.MoveCall.function}` : c.$kind
    )
    const pkg = tail[0].MoveCall != null ? normalizeIotaObjectId(tail[0].MoveCall.package) : ''
    if (
      calls.join(' ') !==
      [`${pkg}::notarization::new_state_from_bytes`, `${pkg}::timelock::none`, `${pkg}::locked_notarization::create`].join(' ')
    )
      throw new Error('not a payment transaction: what follows the transfers is not an attestation')
    const a = decodeAttestationTransaction(raw)
    attestation = { packageId: a.packageId, root: a.root, key: a.key, leaves: a.leaves }
  }
  const transfers = sends.map((c, i) => {
    const t = c.TransferObjects
    const obj = t?.objects[0] as { NestedResult?: [number, number] } | undefined
    if (t == null || t.objects.length !== 1 || obj?.NestedResult?.[0] !== 0 || obj.NestedResult[1] !== i)
      throw new Error(`not a payment transaction: command ${i + 1} does not transfer split coin ${i}`)
    const amount = BigInt(amounts[i])
    if (amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount ${amount} is beyond a safe integer`)
    return { to: bcs.Address.parse(pureBytes(data, t.address)), amount: Number(amount) }
  })
  return {
    sender: data.sender!,
    transfers,
    gasBudget: Number(data.gasData.budget),
    gasPrice: Number(data.gasData.price),
    gasPayment: gasPaymentOf(raw),
    ...(attestation != null ? { attestation } : {})
  }
}

/**
 * The signed transaction a full node returns under `rawTransaction` (showRawInput): base64 of BCS
 * SenderSignedData, i.e. one { intentMessage: { intent, value: TransactionData }, txSignatures }. Returns
 * the BCS TransactionData (what decodePaymentTransaction reads and the digest is computed over) and the
 * parsed TransactionData. Throws when the bytes are not SenderSignedData.
 */
export function transactionDataOfRaw(rawTransaction: string): { bytes: Uint8Array; data: ReturnType<typeof bcs.TransactionData.parse> } {
  const signed = bcs.SenderSignedData.parse(fromBase64(rawTransaction))
  if (signed.length !== 1) throw new Error(`SenderSignedData holds ${signed.length} transactions, not one`)
  const data = signed[0].intentMessage.value
  return { bytes: bcs.TransactionData.serialize(data).toBytes(), data }
}

const LOOKUP_OPTIONS: IotaTransactionBlockResponseOptions = { showEffects: true, showRawInput: true, showBalanceChanges: true }
const IOTA_COIN_TYPE = normalizeStructTag(IOTA_TYPE_ARG)

/** What balanceChanges say the sender's transaction gave to others: positive IOTA amounts to other addresses. */
function receivedByOthers(response: IotaTransactionBlockResponse, sender: string): Transfer[] {
  const out: Transfer[] = []
  for (const c of response.balanceChanges ?? []) {
    const owner = c.owner
    if (typeof owner !== 'object' || !('AddressOwner' in owner)) continue
    const to = normalizeIotaAddress(owner.AddressOwner)
    if (to === sender || normalizeStructTag(c.coinType) !== IOTA_COIN_TYPE) continue
    const amount = BigInt(c.amount)
    if (amount <= 0n) continue
    if (amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount ${amount} is beyond a safe integer`)
    out.push({ to, amount: Number(amount) })
  }
  return out
}

/**
 * Reads a payment from what a full node says about transaction `digest` (asked with LOOKUP_OPTIONS).
 * - status: 'confirmed' when the effects say success, 'failed' otherwise (a failed transaction moved no
 *   money, only gas);
 * - payer: the transaction's sender, from the signed transaction (raw input), whose digest must be `digest`;
 * - transfers: what the programmable transaction pays, when it has the shape buildPaymentTransaction gives
 *   (split the gas coin, transfer each part: read back exactly, in order, also for a failed one). Any other
 *   programmable transaction: what its balance changes show other addresses received in IOTA (one entry
 *   per recipient; none when it failed).
 * Undefined for a transaction that is not a payment: not a programmable transaction, or one that executed
 * and gave no IOTA to anyone but its sender (an attestation, for one).
 */
export function paymentOfResponse(digest: string, response: IotaTransactionBlockResponse, key: string): PaymentReceipt | undefined {
  const effects = response.effects
  if (effects == null) throw new TransientLedgerError(`the full node returned transaction ${digest} without its effects; ask again`)
  const raw = response.rawTransaction
  if (raw == null || raw === '')
    throw new SettlementError(
      IotaErrorCode.unexpected,
      `the full node returned transaction ${digest} without its raw input (showRawInput); it cannot be read as a payment`
    )
  let tx: ReturnType<typeof transactionDataOfRaw>
  try {
    tx = transactionDataOfRaw(raw)
  } catch (e) {
    throw new SettlementError(
      IotaErrorCode.unexpected,
      `transaction ${digest}: its raw input is not a SenderSignedData this SDK reads (${messageOf(e)})`,
      { cause: e }
    )
  }
  const computed = TransactionDataBuilder.getDigestFromBytes(tx.bytes)
  if (computed !== digest)
    throw new SettlementError(IotaErrorCode.unexpected, `the full node answered the lookup of ${digest} with transaction ${computed}`)
  if (tx.data.V1 == null || tx.data.V1.kind.ProgrammableTransaction == null) return undefined
  const payer = normalizeIotaAddress(tx.data.V1.sender)
  const status = effects.status.status === 'success' ? 'confirmed' : 'failed'
  let transfers: Transfer[]
  let carried: DecodedPayment['attestation']
  try {
    const decoded = decodePaymentTransaction(tx.bytes)
    transfers = decoded.transfers
    carried = decoded.attestation
  } catch {
    transfers = status === 'confirmed' ? receivedByOthers(response, payer) : []
    if (status === 'confirmed' && transfers.length === 0) return undefined
  }
  const at = status === 'confirmed' && response.timestampMs != null ? Number(response.timestampMs) : undefined
  // the root it carries, as the transaction names it (key and leaves from the notarization's metadata)
  const attestation =
    status === 'confirmed' && carried != null
      ? { key: carried.key, root: carried.root, leaves: carried.leaves, digest, attester: payer, ...(at != null ? { at } : {}) }
      : undefined
  return { key, digest, status, payer, transfers, ...(at != null ? { at } : {}), ...(attestation != null ? { attestation } : {}) }
}

/** Checks a payment request before anything is built; says what is wrong. */
export function validatePaymentRequest(request: PaymentRequest, payer: string): Transfer[] {
  if (typeof request?.key !== 'string' || request.key === '')
    throw new SettlementError(IotaErrorCode.invalidRequest, 'a payment needs a non-empty idempotency key')
  if (normalizeIotaAddress(String(request.payer)) !== payer)
    throw new SettlementError(IotaErrorCode.wrongPayer, `this adapter pays from ${payer}, not ${request.payer}`)
  if (!Array.isArray(request.transfers) || request.transfers.length === 0)
    throw new SettlementError(IotaErrorCode.invalidRequest, `payment ${request.key} has no transfers`)
  // one split coin per transfer; PTBs allow 1024 commands, and each transfer needs one more
  if (request.transfers.length > 511)
    throw new SettlementError(
      IotaErrorCode.invalidRequest,
      `payment ${request.key} has ${request.transfers.length} transfers; one transaction carries at most 511: split it into several keys`
    )
  return request.transfers.map((t, i) => {
    // the full form only: a short address (0x2) is valid on IOTA but is a system address, never a node's
    if (typeof t.to !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(t.to) || !isValidIotaAddress(t.to))
      throw new SettlementError(
        IotaErrorCode.invalidRequest,
        `payment ${request.key}, transfer ${i}: '${String(t.to)}' is not an IOTA address (0x + 64 hex)`
      )
    if (!Number.isSafeInteger(t.amount) || t.amount <= 0)
      throw new SettlementError(
        IotaErrorCode.invalidRequest,
        `payment ${request.key}, transfer ${i}: amount must be a positive integer of nanos, got ${String(t.amount)}`
      )
    return { to: normalizeIotaAddress(t.to), amount: t.amount }
  })
}

function sameTransfers(a: readonly Transfer[], b: readonly Transfer[]): boolean {
  return a.length === b.length && a.every((t, i) => t.to === b[i].to && t.amount === b[i].amount)
}

export function toPaymentReceipt(r: TxRecord): PaymentReceipt {
  // refused after a send whose outcome was not heard: not known to be final, so not 'failed'
  const status = r.status === 'failed' && r.uncertain === true ? 'submitted' : r.status
  // the root it carries is an attestation only once the ledger holds the transaction
  const attestation = r.attestKey != null && r.status === 'confirmed' ? toAttestation(r) : undefined
  return {
    key: r.key,
    digest: r.digest,
    status,
    payer: r.sender,
    transfers: r.transfers ?? [],
    ...(r.at != null && r.status === 'confirmed' ? { at: r.at } : {}),
    ...(attestation != null ? { attestation } : {})
  }
}

function sameAttestation(r: TxRecord, a: AttestationRequest): boolean {
  return r.attestKey === a.key && r.root === a.root.toLowerCase() && r.leaves === a.leaves
}

/** pay(), payment() and lookup() of the iota adapter, over the shared crash-safe ledger core. */
export function iotaPayments(ledger: IotaLedger): {
  pay: (request: PaymentRequest, options?: { signal?: AbortSignal }) => Promise<PaymentReceipt>
  payment: (key: string) => Promise<PaymentReceipt | undefined>
  lookup: (digest: string, options?: { signal?: AbortSignal }) => Promise<PaymentReceipt | undefined>
} {
  async function pay(request: PaymentRequest, options: { signal?: AbortSignal } = {}): Promise<PaymentReceipt> {
    const { signal } = options
    const transfers = validatePaymentRequest(request, ledger.address)
    const carry = request.attest
    if (carry != null) {
      validateAttestation(carry.key, carry.root, carry.leaves)
      if (carry.key === request.key)
        throw new SettlementError(IotaErrorCode.invalidRequest, `payment ${request.key}: the attestation it carries needs a key of its own`)
    }
    return await ledger.exclusive(async () => {
      signal?.throwIfAborted()
      let earlier = await ledger.journal.get(TxKind.pay, request.key)
      if (earlier != null) {
        if (!sameTransfers(earlier.transfers ?? [], transfers))
          throw new SettlementError(
            IotaErrorCode.keyConflict,
            `key ${request.key} already names a payment with other transfers ` +
              `(transaction ${earlier.digest}); use a new key for a different payment`
          )
        // a payment key's transaction carries what it carried when first signed: the same root, or none
        // (then the receipt has no attestation and the root is attested alone)
        if (carry != null && earlier.attestKey != null && !sameAttestation(earlier, carry))
          throw new SettlementError(
            IotaErrorCode.keyConflict,
            `key ${request.key} already names a payment carrying root ${String(earlier.root)} of ${String(earlier.leaves)} ` +
              `leaves under ${earlier.attestKey} (transaction ${earlier.digest}); a period is attested once`
          )
        if (earlier.status === 'submitted') {
          earlier = await ledger.resolve(earlier, signal)
          // a transaction whose coins were spent by another never executes; build anew right away
          if (earlier.status === 'failed' && earlier.error?.code !== IotaErrorCode.staleGas) throw ledger.errorOf(earlier)
        }
        if (earlier.status === 'confirmed') return toPaymentReceipt(earlier)
        // 'failed': it moved no money and can never execute; a new attempt spends its unspent gas coins
      } else if (carry != null) {
        // one root per attestation key: refused, nothing signed, when the key names another transaction
        const alone = await ledger.journal.get(TxKind.attest, carry.key)
        if (alone != null)
          throw new SettlementError(
            ATTESTATION_EXISTS,
            `attestation key ${carry.key} already names transaction ${alone.digest} (an attestation ` +
              `alone, ${alone.status}): pay ${request.key} without the root and attest it alone`
          )
        const other = await carryingPayment(ledger, carry.key)
        if (other != null && other.key !== request.key)
          throw new SettlementError(
            ATTESTATION_EXISTS,
            `attestation key ${carry.key} is already carried by payment ${other.key} (transaction ${other.digest})`
          )
      }
      await ledger.settlePending(signal, `${TxKind.pay}/${request.key}`)
      // a retry of a failed transaction carries what the first did; a first one, what is asked
      const attestation =
        earlier != null
          ? earlier.attestKey != null
            ? { key: earlier.attestKey, root: earlier.root!, leaves: earlier.leaves! }
            : undefined
          : carry != null
            ? { key: carry.key, root: carry.root.toLowerCase(), leaves: carry.leaves }
            : undefined
      const packageId = attestation != null ? await notarizationPackageOf(ledger, signal) : undefined
      const total = transfers.reduce((s, t) => s + BigInt(t.amount), 0n)
      const budget = BigInt(ledger.options.gasBudget)
      const price = await ledger.gasPrice(signal)
      const payment = await ledger.gasFor(total + budget, earlier, signal)
      const carried =
        attestation != null
          ? {
              packageId: packageId!,
              intent: { key: attestation.key, root: new Uint8Array(Buffer.from(attestation.root, 'hex')), leaves: attestation.leaves }
            }
          : undefined
      const signed = await signTransaction(
        buildPaymentTransaction(ledger.address, transfers, { price, budget, payment }, carried),
        ledger.keypair
      )
      signal?.throwIfAborted()
      // write before send: the attestation key names this payment before its transaction can exist anywhere
      if (attestation != null && earlier == null) await ledger.journal.putCarrier(attestation.key, request.key)
      const record: TxRecord = {
        v: 1,
        kind: TxKind.pay,
        key: request.key,
        status: 'submitted',
        ...recordBytes(signed),
        sender: ledger.address,
        attempt: (earlier?.attempt ?? 0) + 1,
        previous: earlier != null ? [...earlier.previous, earlier.digest] : [],
        signedAt: ledger.options.now(),
        transfers,
        ...(attestation != null ? { attestKey: attestation.key, root: attestation.root, leaves: attestation.leaves } : {})
      }
      const done = await ledger.send(record, signal)
      if (done.status === 'failed') throw ledger.errorOf(done)
      return toPaymentReceipt(done)
    })
  }

  async function payment(key: string): Promise<PaymentReceipt | undefined> {
    const r = await ledger.journal.get(TxKind.pay, key)
    if (r == null) return undefined
    return toPaymentReceipt(await ledger.refresh(r))
  }

  /**
   * A payment on the ledger by its digest, whoever made it (see paymentOfResponse). The ledger does not
   * carry idempotency keys: `key` is the key this adapter paid it under when its own journal signed that
   * digest, and '' otherwise. A payee checks the payer and the transfers to itself, never the key.
   * A string that is not a transaction digest names no transaction: undefined.
   */
  async function lookup(digest: string, options: { signal?: AbortSignal } = {}): Promise<PaymentReceipt | undefined> {
    if (typeof digest !== 'string' || !isValidTransactionDigest(digest)) return undefined
    const response = await ledger.lookup(digest, options.signal, LOOKUP_OPTIONS)
    if (response == null) return undefined
    const own = await ledger.journal.byDigest(digest)
    return paymentOfResponse(digest, response, own?.kind === TxKind.pay ? own.key : '')
  }

  return { pay, payment, lookup }
}
