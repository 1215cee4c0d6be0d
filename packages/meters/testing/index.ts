// Test support for other packages' tests (`@kvartal/meters/testing`): never imported by production code.
export * from './sunspec-image.ts'
