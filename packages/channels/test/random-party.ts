import { generateSeed, signerFromSeed } from '@kvartal/protocol'

/**
 * A party with a fresh random Ed25519 seed, for the channel tests (channel.test.ts, channel-revocation.test.ts,
 * channel-tampering.test.ts): no assertion depends on its keys. A party with a fixed seed: forge.ts.
 */
export function party() {
  const seed = generateSeed()
  return { seed, publicKey: signerFromSeed(seed).publicKey }
}
