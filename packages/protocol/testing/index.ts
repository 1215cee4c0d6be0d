// Test support for other packages' tests (`@kvartal/protocol/testing`): never imported by production code.
export * from './arbitraries.ts'
export * from './mobility-samples.ts'
/** The generated wire codecs, for tests that forge what the typed codecs refuse to build. */
export * as wire from '../src/gen/kvartal.js'
