import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { RPCClient } from 'ocpp-rpc'
import { generateSeed } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal } from '@kvartal/node'
import { freePort } from '../packages/meters/test/sunspec-image.ts'
import { runKvartal, type NodeProcess } from './helpers/processes.ts'

// Two real `kvartal node` processes trade; the buyer has `meter.ocpp`: it is the central system of an
// EV charger, simulated here by ocpp-rpc's own charge-point client (RPCClient, strict schemas) over a
// real WebSocket. The simulated charger draws what its charging profile allows and nothing else (a
// smart charger with no profile waits), and sends its energy register at every slot boundary by its
// own clock, as ClockAlignedDataInterval asks. So: a slot the buyer bought energy for gets that power
// in the profile the charger receives, the car draws it, and the node signs the charger's register
// differences as its readings, stamped with the charger's time.

const SLOT_S = 4
const SLOT_MS = SLOT_S * 1000
const METER_START = 4_711_000

let dir: string
const stops: Array<() => Promise<unknown>> = []
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'kvartal-ocpp-node-')) })
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
  await rm(dir, { recursive: true, force: true })
})

async function nodeConfig (name: string, o: { position: number[], listen: string, bootstrap?: string[], meter?: unknown }): Promise<string> {
  const path = join(dir, `${name}.yaml`)
  await writeFile(path, stringify({
    district: 'ocpp-test', dataDir: join(dir, name), listen: [o.listen], bootstrap: o.bootstrap ?? [], mdns: false,
    slots: { seconds: SLOT_S, gateClosureSeconds: 1 },
    strategy: 'fixed-markup',
    limits: { buy: 900_000_000, sell: 400_000_000 },
    market: { ticksPerSlot: 4, tradingWindowSlots: 2, horizonSlots: 3, republishEverySlots: 1, holdSeconds: 3 },
    position: o.position,
    settlement: { adapter: 'local', periodSlots: 7200 },
    ...(o.meter != null ? { meter: o.meter } : {})
  }))
  return path
}

interface Profile { transactionId: number, startSchedule: string, duration: number, periods: Array<{ startPeriod: number, limit: number }> }

describe('kvartal node with an OCPP 1.6J charger', () => {
  it('the charger gets the bought energy as its profile, draws it, and the node signs its register as readings', { timeout: 150_000 }, async () => {
    // the seller's identity and address are known before it starts
    const seed = generateSeed()
    const j = await Journal.open(join(dir, 'seller')); await j.saveSeed(seed); await j.close()
    const sellerPort = await freePort(); const ocppPort = await freePort()
    const sellerAddr = `/ip4/127.0.0.1/tcp/${sellerPort}/p2p/${(await identityFromSeed(seed)).peerId.toString()}`
    const seller = runKvartal(['node', '--config', await nodeConfig('seller', { position: [600], listen: `/ip4/127.0.0.1/tcp/${sellerPort}` })])
    stops.push(async () => await seller.stop())
    // the buyer dials it at start: on a loaded machine (npm test runs files side by side) a seller not
    // yet listening missed that dial, and no trade came in the test's minute
    await seller.waitFor(l => l.event === 'listening', 60_000)
    const buyer: NodeProcess = runKvartal(['node', '--config', await nodeConfig('buyer', {
      position: [-300], listen: '/ip4/127.0.0.1/tcp/0', bootstrap: [sellerAddr],
      meter: { ocpp: { listen: `127.0.0.1:${ocppPort}`, chargePointId: 'CP-0042', alignedSeconds: SLOT_S, toleranceSeconds: 2 } }
    })])
    stops.push(async () => await buyer.stop())
    await buyer.waitFor(l => l.event === 'listening', 60_000)

    // the simulated charger
    const profiles: Profile[] = []
    const config: Array<[string, string]> = []
    const cp = new RPCClient({ endpoint: `ws://127.0.0.1:${ocppPort}/ocpp`, identity: 'CP-0042', protocols: ['ocpp1.6'], strictMode: true, reconnect: false } as any)
    cp.handle('ChangeConfiguration', async ({ params }: any) => { config.push([params.key, params.value]); return { status: 'Accepted' } })
    cp.handle('SetChargingProfile', async ({ params }: any) => {
      const p = params.csChargingProfiles
      expect([params.connectorId, p.chargingProfilePurpose, p.chargingProfileKind, p.chargingSchedule.chargingRateUnit]).toEqual([1, 'TxProfile', 'Absolute', 'W'])
      profiles.push({ transactionId: p.transactionId, startSchedule: p.chargingSchedule.startSchedule, duration: p.chargingSchedule.duration, periods: p.chargingSchedule.chargingSchedulePeriod })
      return { status: 'Accepted' }
    })
    await cp.connect()
    stops.push(async () => await cp.close({ force: true }))
    expect(await cp.call('BootNotification', { chargePointVendor: 'Kvartal', chargePointModel: 'Sim-22', chargePointSerialNumber: 'SIM-42' })).toMatchObject({ status: 'Accepted' })
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' })
    const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'CAR-1', meterStart: METER_START, timestamp: new Date().toISOString() }) as { transactionId: number }

    // the power the charger may draw in a slot: the last profile's period covering the slot's start
    const limitFor = (slot: number): number => {
      const t = slot * SLOT_MS
      for (const p of [...profiles].reverse()) {
        const start = Date.parse(p.startSchedule)
        if (t < start || t >= start + p.duration * 1000) continue
        return p.periods.filter(x => x.startPeriod * 1000 <= t - start).at(-1)?.limit ?? 0
      }
      return 0
    }
    // at every boundary by its clock: what it drew in the slot that ended, then its register
    let register = METER_START
    const drawn = new Map<number, number>()
    let timer: NodeJS.Timeout | undefined
    let sending = Promise.resolve()
    const boundary = (): void => {
      const now = Date.now(); const slot = Math.floor(now / SLOT_MS) - 1
      const wh = Math.floor(limitFor(slot) * SLOT_S / 3600)
      drawn.set(slot, wh); register += wh
      const value = String(register)
      sending = sending.then(async () => { await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: new Date(now).toISOString(), sampledValue: [{ value, context: 'Sample.Clock', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' }] }] }) })
      timer = setTimeout(boundary, SLOT_MS - (Date.now() % SLOT_MS) + 20)
    }
    timer = setTimeout(boundary, SLOT_MS - (Date.now() % SLOT_MS) + 20)
    stops.push(async () => { clearTimeout(timer); await sending.catch(() => {}) })

    // a bought slot, measured: wait for its reading
    const bought = (slot: number): number => buyer.lines.filter(l => l.event === 'trade-committed' && l.detail === 'buyer' && l.slot === slot).reduce((a, l) => a + (l.energyWh as number), 0)
    const read = await buyer.waitFor(l => l.event === 'meter-read' && bought(l.slot) > 0, 60_000)
    const slot = read.slot as number
    // the profile the charger got for it: the bought energy as power, W = Wh × 3600 / slot seconds
    expect(limitFor(slot)).toBe(bought(slot) * 3600 / SLOT_S)
    expect(profiles.every(p => p.transactionId === transactionId)).toBe(true)
    // the car drew it, and the node signed exactly that as the slot's import, from the charger
    expect(drawn.get(slot)).toBe(bought(slot))
    expect(read).toMatchObject({ energyWh: -bought(slot), detail: 'ocpp:CP-0042' })
    // every slot it measured is what the charger's register said, nothing of the −300 Wh forecast
    for (const r of buyer.lines.filter(l => l.event === 'meter-read')) expect([r.slot, r.energyWh]).toEqual([r.slot, drawn.has(r.slot) ? 0 - drawn.get(r.slot)! : NaN])
    // after boot it asked for the register at every slot boundary
    expect(config).toEqual([['ClockAlignedDataInterval', String(SLOT_S)], ['MeterValuesAlignedData', 'Energy.Active.Import.Register'], ['MeterValuesSampledData', 'Energy.Active.Import.Register']])
  })
})
