// Test support for other packages' tests (`@kvartal/cli/testing`): never imported by production code.
export * from './prometheus-text.ts'
