import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeReading, fromHex, slotEnd, slotStart } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal, PeriodSettler, SlotMeter, type KvartalNodeOptions } from '@kvartal/node'
import { device, meterImage, tcpMeter } from './modbus-rig.ts'
import { stopAfterEachTest, stops } from './stops.ts'

// The Modbus/SunSpec driver in a node (SlotMeter, PeriodSettler on a level journal) against modbus-serial's
// own Modbus TCP server on 127.0.0.1 (modbus-rig.ts): each slot's reading is the exact difference of the
// registers at its boundaries. Every wait has a deadline.

stopAfterEachTest()

describe('Modbus/SunSpec meter', () => {
  it('in a node: the slot readings are the exact differences of the registers the device reported at the boundaries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-modbus-'))
    stops.push(async () => {
      await rm(dir, { recursive: true, force: true })
    })
    const image = meterImage()
    image.regs.set(image.second + 54, 0)
    image.setAcc32(image.second + 46, 10_000)
    image.setAcc32(image.second + 38, 500)
    const { port } = await device(image)
    const slots = { epochMs: Date.parse('2026-06-17T00:00:00Z'), slotMs: 900_000, gateClosureMs: 60_000 }
    let now = slotStart(slots, 0) + 2_000
    const journal = await Journal.open(join(dir, 'journal'), { sync: false })
    stops.push(async () => {
      await journal.close()
    })
    const meter = tcpMeter(port, { timeoutMs: 1_000, now: () => now })
    const slotMeter = new SlotMeter({ journal, slots, emit: () => {}, meter })
    await slotMeter.start()
    stops.push(async () => {
      await slotMeter.stop()
    })
    const seen = async (importWh: number, exportWh: number, at: number): Promise<void> => {
      const deadline = new Promise<never>((_, reject) => {
        const t = setTimeout(() => {
          reject(new Error(`timed out waiting for a sample ${importWh}/${exportWh} at ${at}`))
        }, 10_000)
        t.unref()
      })
      await Promise.race([
        slotMeter.until(s => s.lastSample?.importWh === importWh && s.lastSample.exportWh === exportWh && s.lastSample.at === at),
        deadline
      ])
    }
    await seen(10_000, 500, now)
    // registers change first, the clock moves to the next boundary after: every sample stamped there has the new values
    image.setAcc32(image.second + 46, 10_250)
    await seen(10_250, 500, now)
    now = slotStart(slots, 1) + 2_000
    await seen(10_250, 500, now)
    image.setAcc32(image.second + 38, 900)
    await seen(10_250, 900, now)
    now = slotStart(slots, 2) + 2_000
    await seen(10_250, 900, now)
    const identity = await identityFromSeed(new Uint8Array(32).fill(7))
    const options = {
      district: 'd',
      slots,
      tariffs: { retail: 1, feedIn: 0 },
      profile: { buyLimit: 0, sellLimit: 0, position: () => 1_000 }
    } as unknown as KvartalNodeOptions
    const settler = new PeriodSettler({
      journal,
      identity,
      options,
      emit: () => {},
      signal: new AbortController().signal,
      meter: slotMeter
    })
    await slotMeter.flush(now)
    await settler.readMeters(slotEnd(slots, 1) + slotMeter.graceMs, 0)
    const chain = (await journal.readings(0, 9)).map(h => decodeReading(fromHex(h)))
    expect(chain.map(r => [r.slot, r.gap ?? false, r.importWh, r.exportWh, r.source])).toEqual([
      [0, false, 250, 0, 'sunspec:Kvartal Test/KM-203/KM00001'],
      [1, false, 0, 400, 'sunspec:Kvartal Test/KM-203/KM00001']
    ])
  })
})
