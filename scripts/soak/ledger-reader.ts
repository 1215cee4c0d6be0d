/**
 * Reads a soak run's ledger file (every transaction the ledger executed: digest, status, base64 BCS
 * bytes) with the IOTA SDK alone, not with Kvartal's settlement code: who paid whom how much, and the
 * attestation key a payment carries. A Kvartal payment splits the gas coin and transfers each split to a
 * recipient; a period's payment then anchors its root with a notarization whose state metadata is JSON
 * `{ kind, key, leaves }`. A transaction that fits neither a payment nor an attestation is reported, not
 * skipped.
 */
import { readFile } from 'node:fs/promises'
import { bcs } from '@iota/iota-sdk/bcs'
import { Transaction } from '@iota/iota-sdk/transactions'
import { fromBase64, normalizeIotaAddress } from '@iota/iota-sdk/utils'

export interface LedgerEntry {
  readonly digest: string
  readonly status: string
  readonly bytes: string
}

export interface LedgerPayment {
  readonly digest: string
  readonly sender: string
  readonly transfers: Array<{ to: string; amount: number }>
  /** the attestation key the transaction anchors (a period's payment), if any */
  readonly attestKey?: string
}

export interface Ledger {
  /** successful transactions that move coins (transfers may be empty for an attestation alone) */
  readonly payments: LedgerPayment[]
  /** digests of transactions that could not be read as either */
  readonly unreadable: Array<{ digest: string; why: string }>
}

type Data = ReturnType<Transaction['getData']>

function pure(data: Data, arg: unknown): Uint8Array {
  const a = arg as { Input?: number }
  const input = a.Input != null ? data.inputs[a.Input] : undefined
  if (input?.Pure == null) throw new Error('an argument that is not a pure input')
  return fromBase64(input.Pure.bytes)
}

/** One transaction's bytes read back: sender, transfers (split i → recipient), and the notarized key. */
export function readTransaction(digest: string, b64: string): LedgerPayment {
  const data = Transaction.from(fromBase64(b64)).getData()
  const sender = normalizeIotaAddress(data.sender!)
  const splits: bigint[][] = []
  const transfers: Array<{ to: string; amount: number }> = []
  let attestKey: string | undefined
  data.commands.forEach((c, i) => {
    if (c.SplitCoins != null) {
      if (c.SplitCoins.coin.$kind !== 'GasCoin') throw new Error(`command ${i} splits a coin other than the gas coin`)
      splits[i] = c.SplitCoins.amounts.map(a => BigInt(bcs.u64().parse(pure(data, a))))
    } else if (c.TransferObjects != null) {
      const to = normalizeIotaAddress(bcs.Address.parse(pure(data, c.TransferObjects.address)))
      for (const o of c.TransferObjects.objects) {
        const nr = (o as { NestedResult?: [number, number] }).NestedResult
        const amount = nr != null ? splits[nr[0]]?.[nr[1]] : undefined
        if (amount == null) throw new Error(`command ${i} transfers something that is not a split of the gas coin`)
        transfers.push({ to, amount: Number(amount) })
      }
    } else if (c.MoveCall != null) {
      if (c.MoveCall.module === 'notarization' && c.MoveCall.function === 'new_state_from_bytes') {
        const meta = bcs.option(bcs.string()).parse(pure(data, c.MoveCall.arguments[1]))
        const key = meta != null ? (JSON.parse(meta) as { key?: unknown }).key : undefined
        if (typeof key !== 'string') throw new Error(`command ${i} notarizes without a key`)
        attestKey = key
      }
    } else throw new Error(`command ${i} is a ${c.$kind}`)
  })
  return { digest, sender, transfers, ...(attestKey != null ? { attestKey } : {}) }
}

export function readLedgerEntries(entries: readonly LedgerEntry[]): Ledger {
  const payments: LedgerPayment[] = []
  const unreadable: Array<{ digest: string; why: string }> = []
  for (const e of entries) {
    if (e.status !== 'success') continue
    try {
      payments.push(readTransaction(e.digest, e.bytes))
    } catch (err) {
      unreadable.push({ digest: e.digest, why: (err as Error).message })
    }
  }
  return { payments, unreadable }
}

/** The ledger file a soak run writes (JSON: an array of LedgerEntry). */
export async function readLedger(file: string): Promise<Ledger> {
  return readLedgerEntries(JSON.parse(await readFile(file, 'utf8')) as LedgerEntry[])
}
