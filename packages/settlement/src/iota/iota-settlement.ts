import { getFaucetHost, requestIotaFromFaucetV0 } from '@iota/iota-sdk/faucet'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { normalizeIotaAddress, isValidIotaAddress } from '@iota/iota-sdk/utils'
import { SettlementError, TransientLedgerError, type PaymentReceipt, type Settlement } from '../port.ts'
import { iotaAttestations, type IotaAttestation } from './attestation.ts'
import { resolveIotaSettlementOptions, type IotaSettlementOptions } from './config.ts'
import { IotaErrorCode, messageOf } from './errors.ts'
import { TxJournal } from './journal.ts'
import { IotaLedger } from './ledger.ts'
import { iotaPayments } from './payments.ts'
import { sleep } from './retry.ts'

export interface IotaSettlement extends Settlement {
  /** this node's IOTA address: blake2b-256 of its Ed25519 public key */
  readonly address: string
  /** the network this adapter settles on: 'mainnet', 'testnet', 'devnet', 'localnet' or the node URL */
  readonly network: string
  attest(key: string, root: string, leaves: number, options?: { signal?: AbortSignal }): Promise<IotaAttestation>
  attestation(key: string): Promise<IotaAttestation | undefined>
  /**
   * A payment on the ledger by its transaction digest, whoever made it, read from the signed transaction
   * (raw input, checked against the digest) and its effects: payer = the sender, transfers = what the
   * payment's recipients received, status 'confirmed' (effects success) or 'failed'. The ledger does not
   * carry idempotency keys: `key` is '' unless this adapter's own journal signed that digest. A payee checks
   * the payer and its own transfers, never the key. Undefined for a digest the full node does not know, a
   * string that is not a digest, and a transaction that pays no one (an attestation).
   */
  lookup(digest: string, options?: { signal?: AbortSignal }): Promise<PaymentReceipt | undefined>
  /**
   * Asks the network's faucet (testnet, devnet, localnet) for IOTA for this address and waits until the
   * balance has grown. Faucets are rate limited; a refusal is a TransientLedgerError.
   */
  requestFaucet(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<void>
  /** the IOTA Notarization package attestations call on this network */
  notarizationPackageId(options?: { signal?: AbortSignal }): Promise<string>
  /**
   * For an operator, after a SettlementError 'outcome-unknown': tells the adapter what an archive node or
   * the explorer says about that transaction. executed = true records it as confirmed; false lets the next
   * pay or attest of the key build a new transaction.
   */
  settleByHand(kind: 'pay' | 'attest', key: string, digest: string, executed: boolean): Promise<void>
}

/**
 * The `iota` adapter of the Settlement port: IOTA Rebased through @iota/iota-sdk. One instance per store
 * at a time: the instance serialises its own transactions, and a second one on the same store (or the same
 * key used by another wallet) could spend the gas coins of a transaction this one has signed.
 */
export function iotaSettlement(options: IotaSettlementOptions): IotaSettlement {
  const o = resolveIotaSettlementOptions(options)
  const keypair = Ed25519Keypair.fromSecretKey(o.seed)
  const ledger = new IotaLedger(o, keypair, new TxJournal(o.store, `iota/${o.network}`))
  const payments = iotaPayments(ledger)
  const attestations = iotaAttestations(ledger)
  const where =
    o.network === 'custom'
      ? `the full node at ${o.url ?? 'an injected client'}`
      : `${o.network}${o.client != null ? ' (through an injected client)' : ''}`

  async function balance(address: string): Promise<number> {
    if (typeof address !== 'string' || !isValidIotaAddress(normalizeIotaAddress(address)))
      throw new SettlementError(IotaErrorCode.invalidRequest, `'${String(address)}' is not an IOTA address (0x + 64 hex)`)
    const b = await ledger.balance(normalizeIotaAddress(address))
    if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`the balance of ${address} (${b} nanos) is beyond a safe integer`)
    return Number(b)
  }

  async function requestFaucet(opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    const { signal } = opts
    let host = o.faucetUrl
    if (host == null) {
      if (o.network === 'mainnet' || o.network === 'custom')
        throw new SettlementError('no-faucet', `${where} has no faucet: send IOTA to ${ledger.address}, or pass the faucetUrl option`)
      host = getFaucetHost(o.network)
    }
    const before = await ledger.balance(ledger.address, signal)
    try {
      // the SDK's faucet call takes no signal; its fetch is raced against ours
      await ledger.call(`ask the faucet at ${host}`, async () => await requestIotaFromFaucetV0({ host, recipient: ledger.address }), signal)
    } catch (e) {
      if (signal?.aborted === true) throw signal.reason
      if (e instanceof TransientLedgerError) throw e
      // the SDK folds rate limits and refusals into one parse error; a faucet refusal is worth retrying later
      throw new TransientLedgerError(
        `the faucet at ${host} refused ${ledger.address}: ${messageOf(e)}; ` +
          `faucets are rate limited, try again later or fund the address by hand`,
        { cause: e }
      )
    }
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000)
    while (Date.now() < deadline) {
      if ((await ledger.balance(ledger.address, signal)) > before) return
      await sleep(o.pollIntervalMs, signal)
    }
    throw new TransientLedgerError(
      `the faucet at ${host} accepted the request, but the balance of ${ledger.address} did not grow within ${opts.timeoutMs ?? 60_000} ms`
    )
  }

  return {
    name: `iota: IOTA Rebased ${where}, settling from ${ledger.address}`,
    address: ledger.address,
    network: ledger.networkLabel,
    pay: payments.pay,
    payment: payments.payment,
    lookup: payments.lookup,
    attest: attestations.attest,
    attestation: attestations.attestation,
    balance,
    requestFaucet,
    notarizationPackageId: async (opts = {}) => await attestations.notarizationPackageId(opts.signal),
    settleByHand: async (kind, key, digest, executed) => {
      await ledger.settleByHand(kind, key, digest, executed)
    }
  }
}
