import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeReading, fromHex, slotEnd, slotStart, verifyReadingChain } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal, PeriodSettler, SlotMeter, type KvartalNodeOptions } from '@kvartal/node'
import { SimulatedMeter } from '../src/index.ts'

// The simulator's device models behind the Meter interface: polled on the node's ticks, a simulated
// meter makes the node sign for each slot exactly what the model measured — import max(0, −net),
// export max(0, net), the figures the node signed before meters existed — stamped at the slot's end.

describe('simulated meter', () => {
  it("signs the model's measured energy for every slot, polled four times a slot, with no gap", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-sim-meter-'))
    const slots = { epochMs: 1_750_000_000_000, slotMs: 900_000, gateClosureMs: 60_000 }
    const measured = [-350, 1_200, 0, -1, 7_777, -20_000, 15, 0]
    const journal = await Journal.open(join(dir, 'j'), { sync: false })
    try {
      const meter = new SlotMeter({
        journal,
        slots,
        emit: () => {},
        meter: new SimulatedMeter({ name: 'b1', slots, netWh: s => measured[s] ?? 0 })
      })
      await meter.start()
      const identity = await identityFromSeed(new Uint8Array(32).fill(2))
      const options = {
        district: 'd',
        slots,
        profile: { buyLimit: 0, sellLimit: 0, position: () => 99_999 }
      } as unknown as KvartalNodeOptions
      const settler = new PeriodSettler({ journal, identity, options, emit: () => {}, signal: new AbortController().signal, meter })
      // the node's first tick comes before its first slot opens; then four ticks a slot
      for (let t = slotStart(slots, 0) - 300_000; t < slotEnd(slots, measured.length - 1); t += slots.slotMs / 4)
        await settler.readMeters(t, 0)
      await settler.readMeters(slotEnd(slots, measured.length - 1), 0)
      const chain = (await journal.readings(0, 99)).map(h => decodeReading(fromHex(h)))
      expect(chain.map(r => [r.slot, r.importWh, r.exportWh, r.at, r.gap ?? false])).toEqual(
        measured.map((net, s) => [s, Math.max(0, -net), Math.max(0, net), slotEnd(slots, s), false])
      )
      expect(chain.every(r => r.source === 'sim:b1')).toBe(true)
      expect(verifyReadingChain(chain)).toEqual({ ok: true, gaps: [] })
    } finally {
      await journal.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
