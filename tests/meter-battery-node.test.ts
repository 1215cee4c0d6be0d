import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { callNode } from '@kvartal/cli'
import {
  close,
  commonModel,
  freePort,
  inverterModel,
  nameplateModel,
  RegisterImage,
  serve,
  sf,
  storageModel
} from '@kvartal/meters/testing'
import { runCli, runKvartal, type NodeProcess } from './helpers/processes.ts'

// `kvartal node` (a real process) with `meter.modbus` against modbus-serial's own Modbus TCP server serving a
// hybrid inverter with a battery (SunSpec 1 + 103 + 120 + 124, laid out by the published models in
// packages/meters/testing/sunspec-image.ts): the operator sees the battery's state in the control API, in
// `kvartal status` and in /metrics, and sees it change; what the node signs stays the inverter's energy.

let dir: string
const stops: Array<() => Promise<unknown>> = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-battery-node-'))
})
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
  await rm(dir, { recursive: true, force: true })
})

const metricLine = async (base: string, name: string): Promise<string | undefined> => {
  const r = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })
  return (await r.text()).split('\n').find(l => l.startsWith(`${name}{`))
}

describe('kvartal node with a battery behind a SunSpec inverter', () => {
  it("shows the battery's state (124) and stored energy (120 WHRtg × ChaState) in /status, kvartal status and /metrics", {
    timeout: 120_000
  }, async () => {
    const image = new RegisterImage(40_000, [
      commonModel('Kvartal Solar', 'KH-103', 'HY-9'),
      inverterModel({ whRaw: 50_000, sfReg: sf(0) }),
      nameplateModel({ wRtg: 5000, whRtg: 1350, whRtgSf: sf(1) }),
      storageModel({ chaSt: 4, chaState: [612, sf(-1)], minRsvPct: [20, sf(0)], wChaMax: [5000, sf(0)], inBatV: [4012, sf(-1)] })
    ])
    // 124 is the fourth model: after 'SunS' (2), common (2 + 66), inverter (2 + 50), nameplate (2 + 26)
    const at124 = 40_000 + 2 + 68 + 52 + 28
    expect(image.get(at124)).toBe(124)
    const port = await freePort()
    const server = await serve(image, port)
    stops.push(async () => await close(server))

    const dataDir = join(dir, 'data')
    const config = join(dir, 'node.yaml')
    await writeFile(
      config,
      stringify({
        district: 'battery-test',
        dataDir,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        mdns: false,
        slots: { seconds: 2, gateClosureSeconds: 0 },
        market: { ticksPerSlot: 4, tradingWindowSlots: 1, horizonSlots: 2 },
        position: [0],
        settlement: { adapter: 'local', periodSlots: 4 },
        metrics: { listen: '127.0.0.1:0' },
        meter: { modbus: { host: '127.0.0.1', port, unitId: 1, pollSeconds: 1, toleranceSeconds: 2 } }
      })
    )
    const node: NodeProcess = runKvartal(['node', '--config', config])
    stops.push(async () => await node.stop())
    const metrics = String((await node.waitFor(l => l.event === 'metrics-listening', 30_000)).url).replace(/\/metrics$/, '')
    await node.waitFor(l => l.event === 'listening', 30_000)

    const meterId = `modbus:127.0.0.1:${port}/1`
    const status = async (): Promise<Record<string, any>> => (await callNode(dataDir, 'GET', '/status')).meterStatus
    // asks again each time the node logs something new (a slot's reading every 2 s), for at most 30 s
    const untilStatus = async (what: string, cond: (s: Record<string, any>) => boolean): Promise<void> => {
      const deadline = Date.now() + 30_000
      while (!cond(await status())) {
        if (Date.now() > deadline) throw new Error(`${what}: not within 30 s`)
        const n = node.lines.length
        await node.waitFor(() => node.lines.length > n, 5_000).catch(() => {})
      }
    }
    await untilStatus('a battery status', s => s.battery != null)
    expect((await status()).battery).toMatchObject({
      chargeState: 'CHARGING',
      stateOfChargePct: 61.2,
      minReservePct: 20,
      maxChargeW: 5000,
      batteryV: 401.2,
      capacityWh: 13_500,
      storedWh: 8_262,
      availableAh: null
    })

    const cli = await runCli(['status', '--data-dir', dataDir])
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.stdout).toMatch(
      /battery +CHARGING; 61\.2 % charged \(8262 of 13500 Wh\); reserve 20 %; charges at most 5000 W; 401\.2 V \(read /
    )

    expect(await metricLine(metrics, 'kvartal_battery_state_of_charge_percent')).toBe(
      `kvartal_battery_state_of_charge_percent{meter="${meterId}"} 61.2`
    )
    expect(await metricLine(metrics, 'kvartal_battery_stored_wh')).toBe(`kvartal_battery_stored_wh{meter="${meterId}"} 8262`)

    // it discharges, and the device stops reporting its state of charge: the figure goes, no 0 in its place
    image.regs.set(at124 + 11, 3)
    image.regs.set(at124 + 8, 0xffff)
    await untilStatus('DISCHARGING', s => s.battery?.chargeState === 'DISCHARGING')
    expect((await status()).battery).toMatchObject({ stateOfChargePct: null, storedWh: null })
    expect(await metricLine(metrics, 'kvartal_battery_state_of_charge_percent')).toBeUndefined()
    expect(await metricLine(metrics, 'kvartal_battery_reserve_percent')).toBe(`kvartal_battery_reserve_percent{meter="${meterId}"} 20`)
  })
})
