import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex } from '@kvartal/protocol'
import { LocalLedger } from '../../src/index.ts'
import type { Party } from './parties.ts'

/**
 * What the tests of the embedded ledger share (local-ledger.test.ts, local-ledger-refusals.test.ts,
 * local-settlement.test.ts): a fresh ledger in a temporary directory, transactions signed by hand under the
 * documented domain, and a root. Nothing here runs while a test file loads, only inside a test.
 */

/** Opens a fresh ledger in a temporary directory for the length of `fn`. */
export async function withLedger(fn: (ledger: LocalLedger, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kvartal-local-'))
  const ledger = await LocalLedger.open(join(dir, 'ledger'))
  try {
    await fn(ledger, dir)
  } finally {
    await ledger.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

/** Any JSON as a transaction, signed by `p` under the documented domain: what a sender hands `submit`. */
export function signRaw(p: Party, tx: unknown, bytes = new TextEncoder().encode(JSON.stringify(tx))): { bytes: string; signature: string } {
  const d = new TextEncoder().encode('kvartal/v1/local-ledger-tx\n')
  return { bytes: toHex(bytes), signature: toHex(p.signer.sign(new Uint8Array([...d, ...bytes]))) }
}

export const ROOT = 'ab'.repeat(32)
