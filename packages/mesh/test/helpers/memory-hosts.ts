import { afterEach } from 'vitest'
import { createHost, identityFromSeed, type KvartalHost } from '../../src/index.ts'

/** Real libp2p hosts on the memory transport (noise, yamux), one per seed, stopped after each test of the file. */
export function memoryHosts(): (seed: number) => Promise<KvartalHost> {
  const hosts: KvartalHost[] = []
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map(async h => await h.stop()))
  })
  return async seed => {
    const h = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(seed)), district: 'test', transport: 'memory' })
    hosts.push(h)
    return h
  }
}
