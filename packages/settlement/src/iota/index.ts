/** The `iota` adapter of the Settlement port: IOTA Rebased through @iota/iota-sdk. */
export { iotaSettlement, type IotaSettlement } from './iota-settlement.ts'
export {
  IotaNetworks,
  IotaConfigError,
  defaultIotaSettlementOptions,
  resolveIotaSettlementOptions,
  type IotaNetworkName,
  type IotaSettlementOptions,
  type IotaRetryOptions,
  type ResolvedIotaSettlementOptions,
  type SettlementStore
} from './config.ts'
export { IotaErrorCode, describeFailure, isTransient } from './errors.ts'
export {
  buildPaymentTransaction,
  decodePaymentTransaction,
  validatePaymentRequest,
  transactionDataOfRaw,
  paymentOfResponse,
  type CarriedAttestation,
  type DecodedPayment,
  type Transfer
} from './payments.ts'
export {
  IotaNotarizationPackages,
  notarizationPackageFor,
  attestationMetadata,
  addAttestationCommands,
  buildAttestationTransaction,
  decodeAttestationTransaction,
  type AttestationIntent,
  type DecodedAttestation,
  type IotaAttestation
} from './attestation.ts'
export { signTransaction, gasPaymentOf, type SignedTransaction, type GasSettings } from './ledger.ts'
export { TxKind, type TxRecord } from './journal.ts'
