import { createHash } from 'node:crypto'

/** A simulated node's key seed: from the scenario's seed and the node's name, so a rerun has the same ids. */
export function keySeedFor(scenarioSeed: number, id: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`kvartal-sim/${scenarioSeed}/${id}`).digest())
}
