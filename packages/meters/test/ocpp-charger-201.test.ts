import { describe, expect, it } from 'vitest'
import { RPCClient } from 'ocpp-rpc'
import { OcppCharger, tradedPowerFeed, type MeterSample } from '../src/index.ts'
import { collector } from './sample-collector.ts'
import { charger, chargePoint, slotMs, t0 } from './ocpp-rig.ts'
import { stopAfterEachTest, stops } from './stops.ts'

// The node's central system speaking OCPP 2.0.1 with a simulated charging station: ocpp-rpc's own RPCClient
// over a real WebSocket on 127.0.0.1, with strict 2.0.1 schemas both ways; and the subprotocol negotiated with
// a charger that offers 2.0.1, 1.6 or neither. No real charger can be reached here. OCPP 1.6J:
// ocpp-charger-16.test.ts; the setup both share: ocpp-rig.ts.

stopAfterEachTest()

/** A charge point speaking OCPP 2.0.1 (ocpp-rpc's client, strict 2.0.1 schemas both ways), or what it offers. */
async function station(
  ch: OcppCharger,
  protocols: string[] = ['ocpp2.0.1']
): Promise<{ cp: RPCClient; calls: Array<{ method: string; params: any }>; until: (what: string, cond: () => boolean) => Promise<void> }> {
  const calls: Array<{ method: string; params: any }> = []
  const w = collector()
  const cp = new RPCClient({
    endpoint: `ws://127.0.0.1:${ch.address.port}/ocpp`,
    identity: 'CP-0042',
    protocols,
    strictMode: true,
    reconnect: false
  } as any)
  cp.handle('SetVariables', async ({ params }: any) => {
    calls.push({ method: 'SetVariables', params })
    w.sink.sample({} as MeterSample)
    return {
      setVariableResult: params.setVariableData.map((d: any) => ({
        attributeStatus: 'Accepted',
        component: d.component,
        variable: d.variable
      }))
    }
  })
  cp.handle('SetChargingProfile', async ({ params }: any) => {
    calls.push({ method: 'SetChargingProfile', params })
    w.sink.sample({} as MeterSample)
    return { status: 'Accepted' }
  })
  await cp.connect()
  stops.push(async () => {
    await cp.close({ force: true })
  })
  return { cp, calls, until: w.until }
}

const register201 = (timestamp: string, value: number, unitOfMeasure?: object, context = 'Sample.Clock'): object => ({
  timestamp,
  sampledValue: [
    { value: 7400, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
    { value, context, measurand: 'Energy.Active.Import.Register', location: 'Outlet', ...(unitOfMeasure != null ? { unitOfMeasure } : {}) }
  ]
})
const txEvent = (eventType: string, seqNo: number, timestamp: string, extra: object = {}): object => ({
  eventType,
  seqNo,
  timestamp,
  triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValueClock',
  transactionInfo: { transactionId: 'TX-2026-0001' },
  ...extra
})

describe('OCPP 2.0.1 charger (the same central system, the version the charger offers)', () => {
  it('negotiates the subprotocol: 2.0.1 when offered, 1.6 when that is all the charger speaks, refused when neither', async () => {
    const c = collector()
    const ch = await charger(c, { alignedSeconds: 0 })
    const both = await station(ch, ['ocpp2.0.1', 'ocpp1.6'])
    expect(both.cp.protocol).toBe('ocpp2.0.1')
    expect(ch.status().protocol).toBe('ocpp2.0.1')
    await both.cp.close({ force: true })
    const old = await station(ch, ['ocpp1.6'])
    expect(old.cp.protocol).toBe('ocpp1.6')
    expect(await old.cp.call('BootNotification', { chargePointVendor: 'Kvartal', chargePointModel: 'Sim-16' })).toMatchObject({
      status: 'Accepted'
    })
    await old.cp.close({ force: true })
    await expect(station(ch, ['ocpp2.1'])).rejects.toMatchObject({ code: 400 })
    expect(c.refused.map(e => (e as { code?: string }).code)).toEqual(['ocpp-protocol'])
  })

  it(
    'boot asks for the register at every slot boundary (SetVariables); ' +
      "TransactionEvent and MeterValues become samples on the charger's clock",
    async () => {
      const c = collector()
      const ch = await charger(c)
      const { cp, calls, until } = await station(ch)
      const boot = await cp.call('BootNotification', {
        reason: 'PowerUp',
        chargingStation: { vendorName: 'Kvartal', model: 'Sim-201', serialNumber: 'SIM-2' }
      })
      expect(boot).toEqual({ status: 'Accepted', currentTime: new Date(t0).toISOString(), interval: 300 })
      await until('SetVariables', () => calls.length >= 1)
      expect(calls[0].params.setVariableData.map((d: any) => [d.component.name, d.variable.name, d.attributeValue])).toEqual([
        ['AlignedDataCtrlr', 'Interval', '900'],
        ['AlignedDataCtrlr', 'Measurands', 'Energy.Active.Import.Register'],
        ['SampledDataCtrlr', 'TxUpdatedMeasurands', 'Energy.Active.Import.Register']
      ])
      await cp.call('StatusNotification', { timestamp: '2026-06-17T10:00:00Z', connectorStatus: 'Occupied', evseId: 1, connectorId: 1 })
      expect(
        await cp.call(
          'TransactionEvent',
          txEvent('Started', 0, '2026-06-17T10:00:01Z', {
            evse: { id: 1, connectorId: 1 },
            idToken: { idToken: 'CAR-1', type: 'ISO14443' },
            meterValue: [register201('2026-06-17T10:00:01Z', 1_204_330, { unit: 'Wh' }, 'Transaction.Begin')]
          })
        )
      ).toEqual({ idTokenInfo: { status: 'Accepted' } })
      await cp.call(
        'TransactionEvent',
        txEvent('Updated', 1, '2026-06-17T10:15:00Z', { meterValue: [register201('2026-06-17T10:15:00Z', 1206.18, { unit: 'kWh' })] })
      )
      // Wh × 10^3 is kWh: 1.2080309 × 10^6 Wh, cut to whole Wh
      await cp.call('MeterValues', {
        evseId: 1,
        meterValue: [register201('2026-06-17T10:30:00.500Z', 1.2080309, { unit: 'Wh', multiplier: 6 })]
      })
      // another EVSE's register is not this meter
      await cp.call('MeterValues', { evseId: 2, meterValue: [register201('2026-06-17T10:30:00Z', 5)] })
      await cp.call(
        'TransactionEvent',
        txEvent('Ended', 2, '2026-06-17T10:31:00Z', {
          meterValue: [register201('2026-06-17T10:31:00Z', 1_208_100, undefined, 'Transaction.End')]
        })
      )
      await c.until('four samples', () => c.samples.length >= 4)
      expect(c.samples).toEqual([
        { meterId: 'ocpp:CP-0042', at: Date.parse('2026-06-17T10:00:01Z'), importWh: 1_204_330, exportWh: 0 },
        { meterId: 'ocpp:CP-0042', at: Date.parse('2026-06-17T10:15:00Z'), importWh: 1_206_180, exportWh: 0 },
        { meterId: 'ocpp:CP-0042', at: Date.parse('2026-06-17T10:30:00.500Z'), importWh: 1_208_030, exportWh: 0 },
        { meterId: 'ocpp:CP-0042', at: Date.parse('2026-06-17T10:31:00Z'), importWh: 1_208_100, exportWh: 0 }
      ])
      expect(ch.status()).toMatchObject({
        protocol: 'ocpp2.0.1',
        boot: { vendor: 'Kvartal', model: 'Sim-201', serial: 'SIM-2' },
        connector: 'Occupied',
        transactionId: null
      })
      expect(c.refused).toEqual([])
    }
  )

  it("sets the bought energy as a 2.0.1 TxProfile on the charger's transaction (its schema checked by the charger's side)", async () => {
    const c = collector()
    const ch = await charger(c, { alignedSeconds: 0 })
    const { cp, calls, until } = await station(ch)
    await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Kvartal', model: 'Sim-201' } })
    const feed = tradedPowerFeed(ch, { epochMs: t0 - 40 * slotMs, slotMs }, e => {
      throw e
    })
    feed({ type: 'trade-committed', slot: 40, energyWh: 1_851, detail: 'buyer' })
    await cp.call('TransactionEvent', txEvent('Started', 0, '2026-06-17T10:00:01Z', { evse: { id: 1, connectorId: 1 } }))
    await until('the profile sent at the start', () => calls.length >= 1)
    // 1 851 Wh in 15 minutes = 7 404 W
    expect(calls[0]).toEqual({
      method: 'SetChargingProfile',
      params: {
        evseId: 1,
        chargingProfile: {
          id: 4711,
          stackLevel: 1,
          chargingProfilePurpose: 'TxProfile',
          chargingProfileKind: 'Absolute',
          transactionId: 'TX-2026-0001',
          chargingSchedule: [
            {
              id: 4711,
              duration: 900,
              startSchedule: '2026-06-17T10:00:00.000Z',
              chargingRateUnit: 'W',
              chargingSchedulePeriod: [{ startPeriod: 0, limit: 7_404 }]
            }
          ]
        }
      }
    })
    expect(await ch.setTradedPower(t0 + 2 * slotMs, 3_680)).toBe('Accepted')
    expect(calls[1].params.chargingProfile.chargingSchedule[0].chargingSchedulePeriod).toEqual([
      { startPeriod: 0, limit: 7_404 },
      { startPeriod: 900, limit: 0 },
      { startPeriod: 1_800, limit: 3_680 }
    ])
    expect(ch.status()).toMatchObject({ transactionId: 'TX-2026-0001', profile: 'Accepted' })
  })

  it('a plan made before the transaction goes out at its start in the slot length it was given in, not 15 minutes', async () => {
    const c = collector()
    // as kvartal node makes it: no slotMs of its own, the slot length comes with the traded power
    const ch = new OcppCharger({
      host: '127.0.0.1',
      port: 0,
      chargePointId: 'CP-0042',
      toleranceMs: 60_000,
      alignedSeconds: 0,
      now: () => t0
    })
    await ch.start(c.sink)
    stops.push(async () => {
      await ch.stop()
    })
    const { cp, calls, until } = await station(ch)
    await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Kvartal', model: 'Sim-201' } })
    expect(await ch.setTradedPower(t0 + 60_000, 7_400, 60_000)).toBe('no-transaction')
    await cp.call('TransactionEvent', txEvent('Started', 0, '2026-06-17T10:00:01Z', { evse: { id: 1, connectorId: 1 } }))
    await until('the profile sent at the start', () => calls.length >= 1)
    expect(calls[0].params.chargingProfile.chargingSchedule[0]).toMatchObject({
      startSchedule: '2026-06-17T10:01:00.000Z',
      duration: 60,
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 7_400 }]
    })
  })

  it('a charger that comes back speaking 2.0.1 (a firmware update) has no 1.6 transaction: no 1.6 profile is sent to it', async () => {
    const c = collector()
    const ch = await charger(c, { alignedSeconds: 0 })
    const old = await chargePoint(ch)
    await old.cp.call('BootNotification', { chargePointVendor: 'Kvartal', chargePointModel: 'Sim-16' })
    await old.cp.call('StartTransaction', { connectorId: 1, idTag: 'CAR-1', meterStart: 1_000, timestamp: '2026-06-17T10:00:01Z' })
    expect(typeof ch.status().transactionId).toBe('number')
    await old.cp.close({ force: true })
    const { cp, calls } = await station(ch)
    await cp.call('BootNotification', { reason: 'FirmwareUpdate', chargingStation: { vendorName: 'Kvartal', model: 'Sim-201' } })
    expect(ch.status()).toMatchObject({ protocol: 'ocpp2.0.1', transactionId: null })
    expect(await ch.setTradedPower(t0, 3_680)).toBe('no-transaction')
    expect(calls).toEqual([])
  })

  it('refuses 2.0.1 meter values it cannot read, and calls against the 2.0.1 schema, inventing nothing', async () => {
    const c = collector()
    const ch = await charger(c, { alignedSeconds: 0 })
    await station(ch)
    const raw = new RPCClient({
      endpoint: `ws://127.0.0.1:${ch.address.port}/ocpp`,
      identity: 'CP-0042',
      protocols: ['ocpp2.0.1'],
      strictMode: false,
      reconnect: false
    } as any)
    await raw.connect()
    stops.push(async () => {
      await raw.close({ force: true })
    })
    await expect(
      raw.call('MeterValues', { evseId: 1, meterValue: [register201('2026-06-17T10:15:00Z', 12, { unit: 'kW' })] })
    ).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' })
    await expect(
      raw.call('MeterValues', { evseId: 1, meterValue: [register201('2026-06-17T10:15:00Z', 12, { unit: 'Wh', multiplier: 40 })] })
    ).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' })
    // a 1.6-style string value is against the 2.0.1 schema: the library refuses it, the driver counts it
    await expect(
      raw.call('MeterValues', { evseId: 1, meterValue: [{ timestamp: '2026-06-17T10:15:00Z', sampledValue: [{ value: '1206180' }] }] })
    ).rejects.toMatchObject({ rpcErrorCode: 'TypeConstraintViolation' })
    await c.until('three refusals', () => c.refused.length >= 3)
    expect(c.refused.map(e => (e as { code?: string }).code)).toEqual(['bad-unit', 'bad-unit', 'ocpp-schema'])
    expect(c.refused[2].message).toContain('OCPP 2.0.1 schema')
    expect(c.samples).toEqual([])
  })
})
