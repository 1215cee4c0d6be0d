// Test support (`@kvartal/node/testing`): the crash-test hook for test entry points (src/testing.ts) and a
// failing disk for other packages' tests; never imported by production code.
export * from '../src/testing.ts'
export * from './failing-disk.ts'
