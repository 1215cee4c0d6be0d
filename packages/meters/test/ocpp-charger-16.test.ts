import { describe, expect, it } from 'vitest'
import { RPCClient } from 'ocpp-rpc'
import { tradedPowerFeed, tradedProfile } from '../src/index.ts'
import { collector } from './sample-collector.ts'
import { charger, chargePoint, slotMs, t0 } from './ocpp-rig.ts'
import { stopAfterEachTest, stops } from './stops.ts'

// The node's OCPP 1.6J central system against a simulated charge point: ocpp-rpc's own RPCClient (the
// library's charge-point side, over a real WebSocket on 127.0.0.1), sending what a charger sends and
// answering what a charger answers. No real charger can be reached here. The same central system speaking
// OCPP 2.0.1: ocpp-charger-201.test.ts; the setup both share: ocpp-rig.ts.

stopAfterEachTest()

const energy = (timestamp: string, value: string, unit?: string): object => ({
  timestamp,
  sampledValue: [
    { value: '7400', measurand: 'Power.Active.Import', unit: 'W' },
    { value, context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', location: 'Outlet', ...(unit != null ? { unit } : {}) }
  ]
})

describe('OCPP 1.6J charger (the node as central system)', () => {
  it('accepts the boot of its charge point and asks for the register at every slot boundary', async () => {
    const c = collector()
    const ch = await charger(c)
    const { cp, calls, until } = await chargePoint(ch)
    const boot = await cp.call('BootNotification', {
      chargePointVendor: 'Kvartal',
      chargePointModel: 'Sim-22',
      chargePointSerialNumber: 'SIM-1'
    })
    expect(boot).toEqual({ status: 'Accepted', currentTime: new Date(t0).toISOString(), interval: 300 })
    await until('ChangeConfiguration', () => calls.length >= 3)
    expect(calls.map(x => [x.method, x.params.key, x.params.value])).toEqual([
      ['ChangeConfiguration', 'ClockAlignedDataInterval', '900'],
      ['ChangeConfiguration', 'MeterValuesAlignedData', 'Energy.Active.Import.Register'],
      ['ChangeConfiguration', 'MeterValuesSampledData', 'Energy.Active.Import.Register']
    ])
    expect(await cp.call('Heartbeat', {})).toEqual({ currentTime: new Date(t0).toISOString() })
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' })
    expect(ch.status()).toMatchObject({
      connected: true,
      boot: { vendor: 'Kvartal', model: 'Sim-22', serial: 'SIM-1' },
      connector: 'Preparing'
    })
  })

  it(
    'a transaction: meterStart, MeterValues in Wh and kWh, meterStop ' +
      "become samples of the register, in whole Wh, on the charger's clock",
    async () => {
      const c = collector()
      const ch = await charger(c, { alignedSeconds: 0 })
      const { cp } = await chargePoint(ch)
      await cp.call('BootNotification', { chargePointVendor: 'Kvartal', chargePointModel: 'Sim-22' })
      const { transactionId } = (await cp.call('StartTransaction', {
        connectorId: 1,
        idTag: 'CAR-1',
        meterStart: 1_204_330,
        timestamp: '2026-06-17T10:00:01Z'
      })) as { transactionId: number }
      expect(Number.isInteger(transactionId)).toBe(true)
      await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [energy('2026-06-17T10:15:00Z', '1206180')] })
      await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [energy('2026-06-17T10:30:00.500Z', '1208.0309', 'kWh')] })
      await cp.call('StopTransaction', { transactionId, meterStop: 1_208_100, timestamp: '2026-06-17T10:31:00Z' })
      await c.until('four samples', () => c.samples.length >= 4)
      expect(c.samples).toEqual([
        { meterId: 'ocpp:CP-0042', at: Date.parse('2026-06-17T10:00:01Z'), importWh: 1_204_330, exportWh: 0 },
        { meterId: 'ocpp:CP-0042', at: Date.parse('2026-06-17T10:15:00Z'), importWh: 1_206_180, exportWh: 0 },
        { meterId: 'ocpp:CP-0042', at: Date.parse('2026-06-17T10:30:00.500Z'), importWh: 1_208_030, exportWh: 0 },
        { meterId: 'ocpp:CP-0042', at: Date.parse('2026-06-17T10:31:00Z'), importWh: 1_208_100, exportWh: 0 }
      ])
      expect(c.refused).toEqual([])
    }
  )

  it('sets the traded power as a TxProfile in W, per slot, on the charge point; kept until a transaction starts', async () => {
    const c = collector()
    const ch = await charger(c, { alignedSeconds: 0 })
    const { cp, calls, until } = await chargePoint(ch)
    await cp.call('BootNotification', { chargePointVendor: 'Kvartal', chargePointModel: 'Sim-22' })
    expect(await ch.setTradedPower(t0, 7_400)).toBe('no-transaction')
    const { transactionId } = (await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'CAR-1',
      meterStart: 0,
      timestamp: '2026-06-17T10:00:01Z'
    })) as { transactionId: number }
    await until('the profile sent at the start', () => calls.length >= 1)
    expect(await ch.setTradedPower(t0 + slotMs, 3_680)).toBe('Accepted')
    expect(await ch.setTradedPower(t0 + 3 * slotMs, 11_000)).toBe('Accepted')
    expect(calls.map(x => x.method)).toEqual(['SetChargingProfile', 'SetChargingProfile', 'SetChargingProfile'])
    expect(calls[0].params).toEqual({
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 4711,
        transactionId,
        stackLevel: 1,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: {
          duration: 900,
          startSchedule: '2026-06-17T10:00:00.000Z',
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 7_400 }]
        }
      }
    })
    // the last one carries the whole plan: a slot with nothing traded inside it is 0 W
    expect(calls[2].params.csChargingProfiles.chargingSchedule).toEqual({
      duration: 3_600,
      startSchedule: '2026-06-17T10:00:00.000Z',
      chargingRateUnit: 'W',
      chargingSchedulePeriod: [
        { startPeriod: 0, limit: 7_400 },
        { startPeriod: 900, limit: 3_680 },
        { startPeriod: 1_800, limit: 0 },
        { startPeriod: 2_700, limit: 11_000 }
      ]
    })
    expect(ch.status().profile).toBe('Accepted')
    await expect(ch.setTradedPower(t0, 1.5)).rejects.toThrow(RangeError)
  })

  it("follows the node's trades: the energy bought for a slot becomes its power in the profile", async () => {
    const c = collector()
    const ch = await charger(c, { alignedSeconds: 0 })
    const { cp, calls, until } = await chargePoint(ch)
    await cp.call('StartTransaction', { connectorId: 1, idTag: 'CAR-1', meterStart: 0, timestamp: '2026-06-17T10:00:01Z' })
    const errors: Error[] = []
    const feed = tradedPowerFeed(ch, { epochMs: t0 - 40 * slotMs, slotMs }, e => {
      errors.push(e)
    })
    feed({ type: 'trade-committed', slot: 40, energyWh: 1_000, detail: 'buyer' })
    feed({ type: 'trade-committed', slot: 40, energyWh: 500, detail: 'seller' }) // sold: not the car's
    feed({ type: 'trade-committed', slot: 40, energyWh: 851, detail: 'buyer' })
    await until('two profiles', () => calls.length >= 2)
    // 1 851 Wh in 15 minutes = 7 404 W
    expect(calls.at(-1)!.params.csChargingProfiles.chargingSchedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 7_404 }])
    expect(calls.map(x => x.params.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit)).toContain(4_000)
    expect(errors).toEqual([])
  })

  it('refuses a charge point with an unknown identity at the handshake, and a wrong password', async () => {
    const c = collector()
    const ch = await charger(c, { password: 'charger-secret-1' })
    await expect(chargePoint(ch, 'CP-9999', 'charger-secret-1')).rejects.toMatchObject({ code: 404 })
    await expect(chargePoint(ch, 'CP-0042', 'wrong')).rejects.toMatchObject({ code: 401 })
    expect(c.refused.map(e => (e as { code?: string }).code)).toEqual(['unknown-charge-point', 'bad-password'])
    expect(ch.status().connected).toBe(false)
    const { cp } = await chargePoint(ch, 'CP-0042', 'charger-secret-1')
    expect(await cp.call('BootNotification', { chargePointVendor: 'Kvartal', chargePointModel: 'Sim-22' })).toMatchObject({
      status: 'Accepted'
    })
  })

  it('refuses malformed MeterValues with a typed error and invents nothing', async () => {
    const c = collector()
    const ch = await charger(c, { alignedSeconds: 0 })
    const { cp } = await chargePoint(ch)
    const raw = new RPCClient({
      endpoint: `ws://127.0.0.1:${ch.address.port}/ocpp`,
      identity: 'CP-0042',
      protocols: ['ocpp1.6'],
      strictMode: false,
      reconnect: false
    } as any)
    await raw.connect()
    stops.push(async () => {
      await raw.close({ force: true })
    })
    void cp
    // not a number: the schema allows any string, the driver refuses it
    await expect(
      raw.call('MeterValues', { connectorId: 1, meterValue: [energy('2026-06-17T10:15:00Z', '12,5', 'kWh')] })
    ).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' })
    // an energy register in a unit that is not one
    await expect(
      raw.call('MeterValues', { connectorId: 1, meterValue: [energy('2026-06-17T10:15:00Z', '12', 'kW')] })
    ).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' })
    // a good value next to a bad one: the message is refused whole
    await expect(
      raw.call('MeterValues', {
        connectorId: 1,
        meterValue: [energy('2026-06-17T10:15:00Z', '100'), energy('2026-06-17T10:16:00Z', 'n/a')]
      })
    ).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' })
    // against the OCPP 1.6 schema (no sampledValue): refused by the library's strict validation, counted
    await expect(raw.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: '2026-06-17T10:15:00Z' }] })).rejects.toMatchObject({
      rpcErrorCode: 'OccurrenceConstraintViolation'
    })
    await c.until('four refusals', () => c.refused.length >= 4)
    expect(c.refused.map(e => [e.name, (e as { code?: string }).code])).toEqual([
      ['MeterDataError', 'not-a-number'],
      ['MeterDataError', 'bad-unit'],
      ['MeterDataError', 'not-a-number'],
      ['MeterDataError', 'ocpp-schema']
    ])
    expect(c.samples).toEqual([])
  })

  it('builds one period per change of power, and nothing for an empty plan', () => {
    expect(tradedProfile(new Map(), slotMs, 1)).toBeUndefined()
    expect(
      tradedProfile(
        new Map([
          [t0, 2_000],
          [t0 + slotMs, 2_000]
        ]),
        slotMs,
        9
      )?.chargingSchedule.chargingSchedulePeriod
    ).toEqual([{ startPeriod: 0, limit: 2_000 }])
  })
})
