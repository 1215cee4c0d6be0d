import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { crc16x25, HanMeter, type MeterSample } from '../src/index.ts'
import { ptyPair, socatMissing, type PtyPair } from './pty-pair.ts'

// The HAN meter on a real serial line (socat pseudo-terminal pair, 2400 8E1), fed the meters' frames
// (fixtures/han/SOURCES.md): power-only lists make no sample, a damaged frame is refused and counted,
// an hourly list 3 makes a sample with the registers.

const missing = socatMissing()
if (missing != null) console.warn(`SKIPPED: ${missing}`)
let pty: PtyPair
beforeAll(async () => {
  if (missing == null) pty = await ptyPair()
})
afterAll(async () => {
  await pty?.close()
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
})
