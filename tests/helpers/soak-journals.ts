import { Level } from 'level'
import { encodeLegTerms } from '@kvartal/protocol'
import { sampleLegTerms } from '@kvartal/protocol/testing'
import { readJournal, type RawJournal } from '../../scripts/soak/journal-reader.ts'

/** What a hand-made node journal holds, by the layout journal.ts documents (tests/soak-invariants.test.ts). */
type Rec = Record<string, unknown>
export interface NodeData {
  seed: Buffer
  trades?: Rec[]
  holds?: Rec[]
  plans?: Record<string, string[]>
  periods?: Record<string, Rec>
  proofs?: Record<string, Rec>
  packages?: Rec[]
  legs?: Rec[]
  /** rides' receipts (rec/ride-receipts/<leg>) and the receipts each period settles (rec/period-extra/<period>) */
  receipts?: Rec[]
  periodExtras?: Record<string, Rec>
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A seat on trip T1 from stop position `from` to `to`, departing at `departureMs`: the LegTerms hex a provider journals. */
export function seatTerms(from: number, to: number, departureMs: number): string {
  const keys = { traveller: new Uint8Array(32).fill(1), provider: new Uint8Array(32).fill(2) }
  return hex(
    encodeLegTerms({
      ...sampleLegTerms(keys),
      resource: 'T1',
      from,
      to,
      units: 1,
      departureTime: departureMs,
      arrivalTime: departureMs + 600_000
    })
  )
}

/** Writes a journal (a LevelDB directory at `path`) by its documented layout, then reads it back with the checker's reader. */
export async function writeJournal(path: string, d: NodeData): Promise<RawJournal> {
  const db = new Level<string, any>(path, { valueEncoding: 'json' })
  await db.open()
  const ops: Array<{ type: 'put'; key: string; value: unknown }> = [{ type: 'put', key: 'key/ed25519-seed', value: hex(d.seed) }]
  for (const t of d.trades ?? []) ops.push({ type: 'put', key: `trade/${String(t.id)}`, value: t })
  for (const h of d.holds ?? []) ops.push({ type: 'put', key: `hold/${String(h.negotiation)}`, value: h })
  for (const [p, ids] of Object.entries(d.plans ?? {})) ops.push({ type: 'put', key: `plan/${p}`, value: ids })
  for (const [p, s] of Object.entries(d.periods ?? {})) ops.push({ type: 'put', key: `period/${p}`, value: s })
  for (const [id, pr] of Object.entries(d.proofs ?? {})) ops.push({ type: 'put', key: `proof/${id}`, value: pr })
  for (const p of d.packages ?? []) {
    const { id, ...rest } = p
    ops.push({ type: 'put', key: `rec/packages/${String(id)}`, value: rest })
  }
  for (const l of d.legs ?? []) {
    const { leg, ...rest } = l
    ops.push({ type: 'put', key: `rec/provider-legs/${String(leg)}`, value: rest })
  }
  for (const r of d.receipts ?? []) ops.push({ type: 'put', key: `rec/ride-receipts/${String(r.leg)}`, value: r })
  for (const [p, x] of Object.entries(d.periodExtras ?? {})) ops.push({ type: 'put', key: `rec/period-extra/${p}`, value: x })
  await db.batch(ops as any)
  await db.close()
  return await readJournal(path)
}
