import { bcs } from '@iota/iota-sdk/bcs'
import { Transaction } from '@iota/iota-sdk/transactions'
import { fromBase64, isValidIotaAddress, normalizeIotaAddress } from '@iota/iota-sdk/utils'
import { SettlementError, type PaymentReceipt, type PaymentRequest } from '../port.ts'
import { IotaErrorCode } from './errors.ts'
import { TxKind, type TxRecord } from './journal.ts'
import { gasPaymentOf, recordBytes, signTransaction, type GasSettings, type IotaLedger } from './ledger.ts'

export interface Transfer { readonly to: string, readonly amount: number }

/**
 * One programmable transaction that pays every recipient at once: split one coin per transfer off the gas
 * coin, then transfer each to its recipient. Nothing in it needs a full node to build.
 */
export function buildPaymentTransaction (sender: string, transfers: readonly Transfer[], gas: GasSettings): Transaction {
  const tx = new Transaction()
  tx.setSender(sender)
  tx.setGasPrice(gas.price)
  tx.setGasBudget(gas.budget)
  tx.setGasPayment([...gas.payment])
  const coins = tx.splitCoins(tx.gas, transfers.map(t => tx.pure.u64(t.amount)))
  transfers.forEach((t, i) => { tx.transferObjects([coins[i]], tx.pure.address(t.to)) })
  return tx
}

export interface DecodedPayment {
  readonly sender: string
  readonly transfers: Transfer[]
  readonly gasBudget: number
  readonly gasPrice: number
  readonly gasPayment: Array<{ objectId: string, version: string, digest: string }>
}

function pureBytes (data: ReturnType<Transaction['getData']>, arg: unknown): Uint8Array {
  const a = arg as { $kind?: string, Input?: number }
  if (a.$kind !== 'Input' || a.Input == null) throw new Error(`not a payment transaction: argument ${JSON.stringify(arg)} is not an input`)
  const input = data.inputs[a.Input]
  if (input?.Pure == null) throw new Error(`not a payment transaction: input ${a.Input} is not a pure value`)
  return fromBase64(input.Pure.bytes)
}

/**
 * Reads a payment transaction built by buildPaymentTransaction back from its BCS bytes: who pays, whom,
 * how much (integer nanos), and the gas. Throws when the bytes are not such a transaction.
 */
export function decodePaymentTransaction (bytes: Uint8Array | string): DecodedPayment {
  const data = Transaction.from(typeof bytes === 'string' ? fromBase64(bytes) : bytes).getData()
  const [split, ...sends] = data.commands
  if (split?.SplitCoins == null || split.SplitCoins.coin.$kind !== 'GasCoin') throw new Error('not a payment transaction: it does not start by splitting the gas coin')
  const amounts = split.SplitCoins.amounts.map(a => bcs.u64().parse(pureBytes(data, a)))
  if (sends.length !== amounts.length) throw new Error(`not a payment transaction: ${amounts.length} split coin(s) but ${sends.length} further command(s)`)
  const transfers = sends.map((c, i) => {
    const t = c.TransferObjects
    const obj = t?.objects[0] as { NestedResult?: [number, number] } | undefined
    if (t == null || t.objects.length !== 1 || obj?.NestedResult?.[0] !== 0 || obj.NestedResult[1] !== i) throw new Error(`not a payment transaction: command ${i + 1} does not transfer split coin ${i}`)
    const amount = BigInt(amounts[i])
    if (amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount ${amount} is beyond a safe integer`)
    return { to: bcs.Address.parse(pureBytes(data, t.address)), amount: Number(amount) }
  })
  return {
    sender: data.sender!,
    transfers,
    gasBudget: Number(data.gasData.budget),
    gasPrice: Number(data.gasData.price),
    gasPayment: gasPaymentOf(typeof bytes === 'string' ? fromBase64(bytes) : bytes)
  }
}

/** Checks a payment request before anything is built; says what is wrong. */
export function validatePaymentRequest (request: PaymentRequest, payer: string): Transfer[] {
  if (typeof request?.key !== 'string' || request.key === '') throw new SettlementError(IotaErrorCode.invalidRequest, 'a payment needs a non-empty idempotency key')
  if (normalizeIotaAddress(String(request.payer)) !== payer) throw new SettlementError(IotaErrorCode.wrongPayer, `this adapter pays from ${payer}, not ${request.payer}`)
  if (!Array.isArray(request.transfers) || request.transfers.length === 0) throw new SettlementError(IotaErrorCode.invalidRequest, `payment ${request.key} has no transfers`)
  // one split coin per transfer; PTBs allow 1024 commands, and each transfer needs one more
  if (request.transfers.length > 511) throw new SettlementError(IotaErrorCode.invalidRequest, `payment ${request.key} has ${request.transfers.length} transfers; one transaction carries at most 511: split it into several keys`)
  return request.transfers.map((t, i) => {
    // the full form only: a short address (0x2) is valid on IOTA but is a system address, never a node's
    if (typeof t.to !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(t.to) || !isValidIotaAddress(t.to)) throw new SettlementError(IotaErrorCode.invalidRequest, `payment ${request.key}, transfer ${i}: '${String(t.to)}' is not an IOTA address (0x + 64 hex)`)
    if (!Number.isSafeInteger(t.amount) || t.amount <= 0) throw new SettlementError(IotaErrorCode.invalidRequest, `payment ${request.key}, transfer ${i}: amount must be a positive integer of nanos, got ${String(t.amount)}`)
    return { to: normalizeIotaAddress(t.to), amount: t.amount }
  })
}

function sameTransfers (a: readonly Transfer[], b: readonly Transfer[]): boolean {
  return a.length === b.length && a.every((t, i) => t.to === b[i].to && t.amount === b[i].amount)
}

export function toPaymentReceipt (r: TxRecord): PaymentReceipt {
  // refused after a send whose outcome was not heard: not known to be final, so not 'failed'
  const status = r.status === 'failed' && r.uncertain === true ? 'submitted' : r.status
  return { key: r.key, digest: r.digest, status, payer: r.sender, transfers: r.transfers ?? [], ...(r.at != null && r.status === 'confirmed' ? { at: r.at } : {}) }
}

/** pay() and payment() of the iota adapter, over the shared crash-safe ledger core. */
export function iotaPayments (ledger: IotaLedger): {
  pay: (request: PaymentRequest, options?: { signal?: AbortSignal }) => Promise<PaymentReceipt>
  payment: (key: string) => Promise<PaymentReceipt | undefined>
} {
  async function pay (request: PaymentRequest, options: { signal?: AbortSignal } = {}): Promise<PaymentReceipt> {
    const { signal } = options
    const transfers = validatePaymentRequest(request, ledger.address)
    return await ledger.exclusive(async () => {
      signal?.throwIfAborted()
      let earlier = await ledger.journal.get(TxKind.pay, request.key)
      if (earlier != null) {
        if (!sameTransfers(earlier.transfers ?? [], transfers)) throw new SettlementError(IotaErrorCode.keyConflict, `key ${request.key} already names a payment with other transfers (transaction ${earlier.digest}); use a new key for a different payment`)
        if (earlier.status === 'submitted') {
          earlier = await ledger.resolve(earlier, signal)
          // a transaction whose coins were spent by another never executes; build anew right away
          if (earlier.status === 'failed' && earlier.error?.code !== IotaErrorCode.staleGas) throw ledger.errorOf(earlier)
        }
        if (earlier.status === 'confirmed') return toPaymentReceipt(earlier)
        // 'failed': it moved no money and can never execute; a new attempt spends its unspent gas coins
      }
      await ledger.settlePending(signal, `${TxKind.pay}/${request.key}`)
      const total = transfers.reduce((s, t) => s + BigInt(t.amount), 0n)
      const budget = BigInt(ledger.options.gasBudget)
      const price = await ledger.gasPrice(signal)
      const payment = await ledger.gasFor(total + budget, earlier, signal)
      const signed = await signTransaction(buildPaymentTransaction(ledger.address, transfers, { price, budget, payment }), ledger.keypair)
      signal?.throwIfAborted()
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
        transfers
      }
      const done = await ledger.send(record, signal)
      if (done.status === 'failed') throw ledger.errorOf(done)
      return toPaymentReceipt(done)
    })
  }

  async function payment (key: string): Promise<PaymentReceipt | undefined> {
    const r = await ledger.journal.get(TxKind.pay, key)
    if (r == null) return undefined
    return toPaymentReceipt(await ledger.refresh(r))
  }

  return { pay, payment }
}
