/**
 * The soak's ground truth about meters: per metered node, the meter's name and every sample the soak's broker
 * published for it (meter-feed.ts writes it to meter-truth.json in the run's directory; meter-invariants.ts
 * holds the journals against it). A sample's `at` is the meter's clock (the soak's), its registers cumulative Wh.
 *
 *   { "<node>": { "meter": "mqtt:soak/<node>", "samples": [[at, importWh, exportWh], …] }, … }
 */
import { readFile, writeFile } from 'node:fs/promises'

export interface TruthSample {
  readonly at: number
  readonly importWh: number
  readonly exportWh: number
}
export interface NodeTruth {
  /** the meter's identity, as its readings must name it */
  readonly meter: string
  /** in the order published (`at` and both registers only grow) */
  readonly samples: TruthSample[]
}
/** node name → what its meter published; a node not in it has no meter */
export type MeterTruth = ReadonlyMap<string, NodeTruth>

export async function writeMeterTruth(file: string, truth: MeterTruth): Promise<void> {
  const doc = Object.fromEntries(
    [...truth].map(([name, t]) => [name, { meter: t.meter, samples: t.samples.map(s => [s.at, s.importWh, s.exportWh]) }])
  )
  await writeFile(file, JSON.stringify(doc))
}

export async function readMeterTruth(file: string): Promise<MeterTruth> {
  const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, { meter: string; samples: Array<[number, number, number]> }>
  return new Map(
    Object.entries(doc).map(([name, t]) => [
      name,
      { meter: t.meter, samples: t.samples.map(([at, importWh, exportWh]) => ({ at, importWh, exportWh })) }
    ])
  )
}
