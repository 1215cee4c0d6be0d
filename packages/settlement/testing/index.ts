// Test support for other packages' tests (`@kvartal/settlement/testing`): never imported by production code.
export * from './fake-iota-rpc.ts'
export type { ExecutedTransaction } from './fake-ledger.ts'
export * from './ledger-transactions.ts'
