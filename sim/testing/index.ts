// Test support for other packages' tests (`@kvartal/sim/testing`): never imported by production code.
export * from './browser.ts'
