import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeReading, fromHex, slotEnd, verifyReadingChain } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal, PeriodSettler, SlotMeter, type KvartalNodeOptions } from '@kvartal/node'
import { crc16x25, HanMeter, type MeterSample } from '../src/index.ts'
import { ptyPair, socatMissing, type PtyPair } from './pty-pair.ts'

// The HAN meter on a real serial line (socat pseudo-terminal pair, 2400 8E1), fed the meters' frames
// (fixtures/han/SOURCES.md): power-only lists make no sample, a damaged frame is refused and counted,
// an hourly list 3 makes a sample with the registers.

const missing = socatMissing()
if (missing != null) console.warn(`SKIPPED: ${missing}`)
let pty: PtyPair
let dir: string
beforeAll(async () => {
  if (missing != null) return
  pty = await ptyPair()
  dir = await mkdtemp(join(tmpdir(), 'kvartal-han-'))
})
afterAll(async () => {
  await pty?.close()
  if (dir != null) await rm(dir, { recursive: true, force: true })
})

const hex = async (name: string): Promise<Buffer> =>
  Buffer.from((await readFile(new URL(`./fixtures/han/${name}`, import.meta.url), 'utf8')).replace(/\s+/g, ''), 'hex')

/** Wraps an LLC payload in an HDLC frame as Kaifa does (addresses 01 02 01, control 10), with HCS and FCS. */
function hdlc(info: Buffer): Buffer {
  const len = info.length + 10 // bytes between the flags
  const f = Buffer.concat([
    Buffer.from([0x7e, 0xa0 | (len >> 8), len & 0xff, 0x01, 0x02, 0x01, 0x10, 0, 0]),
    info,
    Buffer.from([0, 0, 0x7e])
  ])
  const hcs = crc16x25(f, 1, 7)
  f[7] = hcs & 0xff
  f[8] = hcs >> 8
  const fcs = crc16x25(f, 1, f.length - 3)
  f[f.length - 3] = fcs & 0xff
  f[f.length - 2] = fcs >> 8
  return f
}

describe.skipIf(missing != null)('HAN meter over a serial line (socat pty pair)', () => {
  it('makes a sample only of the hourly registers, and refuses and counts a damaged frame', async () => {
    const meter = new HanMeter({ port: pty.node, baudRate: 2_400, toleranceMs: 30_000 })
    const samples: MeterSample[] = []
    const refused: Error[] = []
    let wake = (): void => {}
    await meter.start({
      sample: s => {
        samples.push(s)
        wake()
      },
      refused: e => {
        refused.push(e)
        wake()
      }
    })
    try {
      const damaged = await hex('kamstrup-3phase-list1.hex')
      damaged[120] ^= 0x40
      for (const f of [
        await hex('kaifa-ma304h3e-list1.hex'),
        await hex('aidon-list1.hex'),
        damaged,
        hdlc(await hex('kaifa-ma304h3e-list3.llc.hex'))
      ])
        await pty.meter.write(f)
      const deadline = Date.now() + 10_000
      while (samples.length < 1) {
        if (Date.now() > deadline) throw new Error('no sample from the HAN meter within 10 s')
        await new Promise<void>(resolve => {
          const t = setTimeout(resolve, deadline - Date.now())
          wake = () => {
            clearTimeout(t)
            resolve()
          }
        })
      }
      expect(samples).toEqual([{ meterId: 'han:6970631401753985', at: Date.parse('2017-09-24T08:00:10Z'), importWh: 403_233, exportWh: 0 }])
      expect(refused.map(e => e.name)).toEqual(['BadChecksumError'])
      expect(meter.counts).toEqual({ frames: 4, refused: 1, samples: 1 })
    } finally {
      await meter.stop()
    }
  })

  it("in a node, hourly slots: an Aidon's hourly pushes make readings; the hour it repeated is a gap, not two hours in one", async () => {
    // four consecutive list 3 pushes of an Aidon 6534 (amsreader-firmware, test/payloads/aidon/gh1119-1…4.hex):
    // 16:00, 17:00, then at 18:00 a repeat of 17:00 (clock and registers), then 19:00, Norwegian normal time
    const chain = await hourlyReadings(
      'aidon',
      Date.parse('2025-12-14T15:00:00Z'),
      30_000,
      ['1600', '1700', '1800-repeat', '1900'].map(h => `aidon-6534-list3-${h}.hex`),
      2
    )
    expect(chain.map(r => [r.slot, r.gap ?? false, r.importWh, r.exportWh, r.source])).toEqual([
      [0, false, 1_770, 0, 'han:7359992890497997'],
      [1, true, 0, 0, "no sample at the slot's end"],
      [2, true, 0, 0, "no sample at the slot's start"]
    ])
    expect(verifyReadingChain(chain)).toEqual({ ok: true, gaps: [1, 2] })
  })

  it('a Kamstrup that stamps its hourly push at hh:00:55 needs a tolerance of more than 55 s: with 30 s every hour is a gap', async () => {
    // amsreader-firmware, test/payloads/kamstrup/em001-3.hex and em001-1.hex: 22:00:55 and 23:00:55 (UTC+1)
    const frames = ['kamstrup-6841131-list3-2200.hex', 'kamstrup-6841131-list3-2300.hex']
    const epochMs = Date.parse('2021-11-25T21:00:00Z')
    const read = (c: Reading[]) => c.map(r => [r.slot, r.gap ?? false, r.importWh, r.exportWh])
    expect(read(await hourlyReadings('kamstrup-90', epochMs, 90_000, frames, 0))).toEqual([[0, false, 2_360, 0]])
    expect(read(await hourlyReadings('kamstrup-30', epochMs, 30_000, frames, 0))).toEqual([[0, true, 0, 0]])
  })
})

type Reading = ReturnType<typeof decodeReading>

/**
 * A node's meter chain for hourly slots from `epochMs`: the HAN meter over the pty with `toleranceMs`,
 * `frames` written by the meter's end, the slots up to `lastSlot` read once their grace has passed.
 */
async function hourlyReadings(name: string, epochMs: number, toleranceMs: number, frames: string[], lastSlot: number): Promise<Reading[]> {
  const slots = { epochMs, slotMs: 3_600_000, gateClosureMs: 60_000 }
  const journal = await Journal.open(join(dir, name), { sync: false })
  const slotMeter = new SlotMeter({ journal, slots, emit: () => {}, meter: new HanMeter({ port: pty.node, baudRate: 2_400, toleranceMs }) })
  try {
    await slotMeter.start()
    const options = {
      district: 'd',
      slots,
      tariffs: { retail: 1, feedIn: 0 },
      profile: { buyLimit: 0, sellLimit: 0, position: () => 0 }
    } as unknown as KvartalNodeOptions
    const settler = new PeriodSettler({
      journal,
      identity: await identityFromSeed(new Uint8Array(32).fill(7)),
      options,
      emit: () => {},
      signal: new AbortController().signal,
      meter: slotMeter
    })
    for (const f of frames) await pty.meter.write(await hex(f))
    await slotMeter.until(s => s.samples === frames.length)
    await settler.readMeters(slotEnd(slots, lastSlot) + slotMeter.graceMs, 0)
    return (await journal.readings(0, 9)).map(h => decodeReading(fromHex(h)))
  } finally {
    await slotMeter.stop()
    await journal.close()
  }
}
