/**
 * Attestations on IOTA Rebased: one period's Merkle root (32 bytes) anchored as an IOTA Notarization.
 *
 * What we chose, and why. IOTA Rebased transactions have no memo field, and a transaction's intent is only
 * recoverable from the ledger through its commands and inputs, so the root must be an argument of a Move
 * call. We cannot publish a Move package of our own here (no Move compiler), and need not: the IOTA
 * Foundation publishes the IOTA Notarization package on mainnet, testnet and devnet, and its "locked
 * notarization" is exactly "these bytes, by this sender, at this time, never to change". So an attestation
 * is the programmable transaction
 *
 *     state = <pkg>::notarization::new_state_from_bytes(root: vector<u8>, metadata: Option<String>)
 *     lock  = <pkg>::timelock::none()
 *     <pkg>::locked_notarization::create<vector<u8>>(state, description: Option<String>,
 *                                                    updatable_metadata: Option<String>, lock, clock: &Clock)
 *
 * which is, command for command, what `@iota/notarization` 0.1.15 builds for
 * `createLocked().withBytesState(root, metadata).withImmutableDescription(description)` (checked by building
 * one with it against a stub node). The root is a pure `vector<u8>` input of the transaction (readable from
 * the transaction by digest forever, whatever happens to the object), and the created `Notarization` object,
 * owned by the attester, holds it too: the IOTA explorer and `@iota/notarization`'s read-only client show it.
 * The metadata carries the attestation key and leaf count as JSON; the description names Kvartal.
 *
 * A node that pays in a period does not attest apart: its payment carries the root (the same three calls
 * after its transfers, `buildPaymentTransaction` with an attestation), so one transaction anchors the root
 * and moves the money, and the two land together or not at all. Its journal record is the payment's, with
 * `attestKey`, `root` and `leaves`; under the attestation key the journal keeps a carrier that names the
 * payment key, written before the payment is signed, so that `attest` and `attestation` find the root
 * there and never anchor it a second time.
 *
 * Why not `@iota/notarization` itself: it installs from npm (two ~2.5 MB WASM packages, no build step) and
 * works offline up to one `iota_getChainIdentifier` call, but it needs `@iota/iota-sdk` ^1.14 as a peer
 * while this repository uses 1.10, it is an alpha, and its builder signs and gas-selects inside WASM, where
 * our write-before-send store and gas-coin discipline cannot reach. Building the same three Move calls with
 * the SDK keeps one transaction path (build, sign, digest, store, send) for payments and attestations.
 * The package ids below are those of its published Move.history.json (original ids; an upgrade keeps
 * public function signatures, so calls to the original id stay valid). `delete_lock` is `none`: the owner
 * may destroy the object (and get the storage deposit back), but never change it; the transaction stays.
 */
import { bcs } from '@iota/iota-sdk/bcs'
import { Transaction } from '@iota/iota-sdk/transactions'
import { IOTA_CLOCK_OBJECT_ID, fromBase64, normalizeIotaObjectId } from '@iota/iota-sdk/utils'
import { ATTESTATION_EXISTS, SettlementError, type Attestation } from '../port.ts'
import { IotaErrorCode } from './errors.ts'
import { TxKind, type TxRecord } from './journal.ts'
import { recordBytes, signTransaction, type GasSettings, type IotaLedger } from './ledger.ts'

/** IOTA Notarization packages published by the IOTA Foundation, by network, with the chain id that names it. */
export const IotaNotarizationPackages = {
  mainnet: { chainId: '6364aad5', packageId: '0x909ce9dcd9a5e97b7b8884fac8e018fad9dece348bf73837379b8694ff684cf3' },
  testnet: { chainId: '2304aa97', packageId: '0x00412bd469b7f980227c6c574090348239852e43aa07818b315854fdd8a2d25f' },
  // devnet is wiped now and then; its package id follows @iota/notarization 0.1.15
  devnet: { chainId: 'daf90477', packageId: '0x72c8433b88e6bdee0eb02a257fdebd0ec2b6c990043f35b155cb4c5cf727fdca' }
} as const

/** The package for a chain identifier (the first 4 bytes of its genesis checkpoint digest, hex). */
export function notarizationPackageFor(chainId: string): string | undefined {
  return Object.values(IotaNotarizationPackages).find(p => p.chainId === chainId)?.packageId
}

export const ATTESTATION_METADATA_KIND = 'kvartal/attestation'

export interface AttestationIntent {
  readonly key: string
  /** 32 bytes: the period's Merkle root */
  readonly root: Uint8Array
  readonly leaves: number
}

/** The notarization's state metadata: what the root attests, as JSON. */
export function attestationMetadata(key: string, leaves: number): string {
  return JSON.stringify({ kind: ATTESTATION_METADATA_KIND, v: 1, key, leaves })
}

/** Builds the locked-notarization transaction for one root; nothing in it needs a full node to build. */
export function buildAttestationTransaction(sender: string, packageId: string, intent: AttestationIntent, gas: GasSettings): Transaction {
  const tx = new Transaction()
  tx.setSender(sender)
  tx.setGasPrice(gas.price)
  tx.setGasBudget(gas.budget)
  tx.setGasPayment([...gas.payment])
  addAttestationCommands(tx, packageId, intent)
  return tx
}

/**
 * Appends one root's locked notarization (the three Move calls above) to a programmable transaction:
 * alone in buildAttestationTransaction, after the transfers in a payment that carries its period's root
 * (buildPaymentTransaction). The calls touch only their own inputs and the clock, never a coin.
 */
export function addAttestationCommands(tx: Transaction, packageId: string, intent: AttestationIntent): void {
  if (intent.root.length !== 32) throw new RangeError(`a Merkle root is 32 bytes, got ${intent.root.length}`)
  const pkg = normalizeIotaObjectId(packageId)
  // the clock is a shared object created at genesis (initial shared version 1); naming it fully keeps the
  // build offline
  const clock = tx.sharedObjectRef({ objectId: IOTA_CLOCK_OBJECT_ID, initialSharedVersion: 1, mutable: false })
  const state = tx.moveCall({
    target: `${pkg}::notarization::new_state_from_bytes`,
    arguments: [tx.pure.vector('u8', intent.root), tx.pure.option('string', attestationMetadata(intent.key, intent.leaves))]
  })
  const deleteLock = tx.moveCall({ target: `${pkg}::timelock::none` })
  tx.moveCall({
    target: `${pkg}::locked_notarization::create`,
    typeArguments: ['vector<u8>'],
    arguments: [state, tx.pure.option('string', `Kvartal attestation ${intent.key}`), tx.pure.option('string', null), deleteLock, clock]
  })
}

/** How many commands addAttestationCommands appends. */
export const ATTESTATION_COMMANDS = 3

export interface DecodedAttestation {
  readonly sender: string
  readonly packageId: string
  /** hex */
  readonly root: string
  readonly key: string
  readonly leaves: number
  readonly gasBudget: number
}

/** Reads an attestation back from a transaction's BCS bytes. Throws when they are not one. */
export function decodeAttestationTransaction(bytes: Uint8Array | string): DecodedAttestation {
  const data = Transaction.from(typeof bytes === 'string' ? fromBase64(bytes) : bytes).getData()
  const call = data.commands.find(c => c.MoveCall?.module === 'notarization' && c.MoveCall.function === 'new_state_from_bytes')?.MoveCall
  const create = data.commands.find(c => c.MoveCall?.module === 'locked_notarization' && c.MoveCall.function === 'create')?.MoveCall
  if (call == null || create == null) throw new Error('not an attestation: no locked notarization of bytes in this transaction')
  const pure = (i: number): Uint8Array => {
    const a = call.arguments[i] as { $kind?: string; Input?: number }
    const input = a.$kind === 'Input' && a.Input != null ? data.inputs[a.Input] : undefined
    if (input?.Pure == null) throw new Error(`not an attestation: argument ${i} of new_state_from_bytes is not a pure input`)
    return fromBase64(input.Pure.bytes)
  }
  const root = bcs.vector(bcs.u8()).parse(pure(0))
  const metadata = bcs.option(bcs.string()).parse(pure(1))
  const meta = metadata != null ? (JSON.parse(metadata) as { kind?: string; key?: unknown; leaves?: unknown }) : {}
  if (meta.kind !== ATTESTATION_METADATA_KIND || typeof meta.key !== 'string' || typeof meta.leaves !== 'number')
    throw new Error('not a Kvartal attestation: its state metadata does not name a key and a leaf count')
  return {
    sender: data.sender!,
    packageId: normalizeIotaObjectId(create.package),
    root: Buffer.from(root).toString('hex'),
    key: meta.key,
    leaves: meta.leaves,
    gasBudget: Number(data.gasData.budget)
  }
}

/** The port's Attestation, plus the id of the notarization object it created. */
export interface IotaAttestation extends Attestation {
  readonly notarizationId?: string
}

/** The attestation a record holds: an attestation alone, or the root a payment carries (under its attestKey). */
export function toAttestation(r: TxRecord): IotaAttestation {
  return {
    key: r.attestKey ?? r.key,
    root: r.root!,
    leaves: r.leaves!,
    digest: r.digest,
    attester: r.sender,
    ...(r.at != null ? { at: r.at } : {}),
    ...(r.objectId != null ? { notarizationId: r.objectId } : {})
  }
}

/** The IOTA Notarization package attestations call on the ledger's network (the option, or the one published for its chain). */
export async function notarizationPackageOf(ledger: IotaLedger, signal?: AbortSignal): Promise<string> {
  if (ledger.options.notarizationPackageId != null) return normalizeIotaObjectId(ledger.options.notarizationPackageId)
  const chainId = await ledger.chainIdentifier(signal)
  const pkg = notarizationPackageFor(chainId)
  if (pkg == null)
    throw new SettlementError(
      IotaErrorCode.noNotarizationPackage,
      `no IOTA Notarization package is known for chain ${chainId} (${ledger.networkLabel}): publish notarization-move ` +
        `from github.com/iotaledger/notarization on it and pass its id as the notarizationPackageId option`
    )
  return pkg
}

/** The payment record that carries attestation `key`, when the journal holds one (see TxJournal.putCarrier). */
export async function carryingPayment(ledger: IotaLedger, key: string): Promise<TxRecord | undefined> {
  const payKey = await ledger.journal.carrierOf(key)
  if (payKey == null) return undefined
  const r = await ledger.journal.get(TxKind.pay, payKey)
  return r?.attestKey === key ? r : undefined
}

/** Checks an attestation's key, root and leaf count; returns the root's 32 bytes. */
export function validateAttestation(key: string, root: string, leaves: number): Uint8Array {
  if (typeof key !== 'string' || key === '') throw new SettlementError(IotaErrorCode.invalidRequest, 'an attestation needs a non-empty key')
  if (typeof root !== 'string' || !/^[0-9a-fA-F]{64}$/.test(root))
    throw new SettlementError(
      IotaErrorCode.invalidRequest,
      `attestation ${key}: the root must be 64 hex digits (a SHA-256 Merkle root), got '${String(root)}'`
    )
  if (!Number.isSafeInteger(leaves) || leaves < 0)
    throw new SettlementError(
      IotaErrorCode.invalidRequest,
      `attestation ${key}: leaves must be a non-negative integer, got ${String(leaves)}`
    )
  return new Uint8Array(Buffer.from(root, 'hex'))
}

/** attest() and attestation() of the iota adapter, over the shared crash-safe ledger core. */
export function iotaAttestations(ledger: IotaLedger): {
  attest: (key: string, root: string, leaves: number, options?: { signal?: AbortSignal }) => Promise<IotaAttestation>
  attestation: (key: string) => Promise<IotaAttestation | undefined>
  notarizationPackageId: (signal?: AbortSignal) => Promise<string>
} {
  async function notarizationPackageId(signal?: AbortSignal): Promise<string> {
    return await notarizationPackageOf(ledger, signal)
  }

  async function attest(key: string, root: string, leaves: number, options: { signal?: AbortSignal } = {}): Promise<IotaAttestation> {
    const { signal } = options
    const rootBytes = validateAttestation(key, root, leaves)
    const rootHex = root.toLowerCase()
    return await ledger.exclusive(async () => {
      signal?.throwIfAborted()
      // a root a payment carries is attested by that payment's transaction, never by a second one
      let carrier = await carryingPayment(ledger, key)
      if (carrier != null) {
        if (carrier.root !== rootHex || carrier.leaves !== leaves)
          throw new SettlementError(
            IotaErrorCode.keyConflict,
            `key ${key} is already carried by payment ${carrier.key} with root ${String(carrier.root)} of ` +
              `${String(carrier.leaves)} leaves (transaction ${carrier.digest}); a period is attested once`
          )
        if (carrier.status === 'submitted') carrier = await ledger.resolve(carrier, signal)
        if (carrier.status === 'confirmed') return toAttestation(carrier)
        throw new SettlementError(
          ATTESTATION_EXISTS,
          `the root of ${key} rides in payment ${carrier.key} (transaction ${carrier.digest}), which has ` +
            `not executed: pay ${carrier.key} again and the root lands with it; it is not attested apart`
        )
      }
      let earlier = await ledger.journal.get(TxKind.attest, key)
      if (earlier != null) {
        if (earlier.root !== rootHex || earlier.leaves !== leaves)
          throw new SettlementError(
            IotaErrorCode.keyConflict,
            `key ${key} already attests root ${String(earlier.root)} of ${String(earlier.leaves)} ` +
              `leaves (transaction ${earlier.digest}); a period is attested once`
          )
        if (earlier.status === 'submitted') {
          earlier = await ledger.resolve(earlier, signal)
          if (earlier.status === 'failed' && earlier.error?.code !== IotaErrorCode.staleGas) throw ledger.errorOf(earlier)
        }
        if (earlier.status === 'confirmed') return toAttestation(earlier)
      }
      await ledger.settlePending(signal, `${TxKind.attest}/${key}`)
      const packageId = await notarizationPackageId(signal)
      const budget = BigInt(ledger.options.gasBudget)
      const price = await ledger.gasPrice(signal)
      const payment = await ledger.gasFor(budget, earlier, signal)
      const signed = await signTransaction(
        buildAttestationTransaction(ledger.address, packageId, { key, root: rootBytes, leaves }, { price, budget, payment }),
        ledger.keypair
      )
      signal?.throwIfAborted()
      const record: TxRecord = {
        v: 1,
        kind: TxKind.attest,
        key,
        status: 'submitted',
        ...recordBytes(signed),
        sender: ledger.address,
        attempt: (earlier?.attempt ?? 0) + 1,
        previous: earlier != null ? [...earlier.previous, earlier.digest] : [],
        signedAt: ledger.options.now(),
        root: rootHex,
        leaves
      }
      const done = await ledger.send(record, signal)
      if (done.status === 'failed') throw ledger.errorOf(done)
      return toAttestation(done)
    })
  }

  async function attestation(key: string): Promise<IotaAttestation | undefined> {
    const r = (await carryingPayment(ledger, key)) ?? (await ledger.journal.get(TxKind.attest, key))
    if (r == null) return undefined
    const now = await ledger.refresh(r)
    // only what the ledger holds is an attestation: a signed but unconfirmed one proves nothing yet
    return now.status === 'confirmed' ? toAttestation(now) : undefined
  }

  return { attest, attestation, notarizationPackageId }
}
