import { RPCClient } from 'ocpp-rpc'
import { OcppCharger, type MeterSample } from '../src/index.ts'
import { collector } from './sample-collector.ts'
import { stops } from './stops.ts'

/**
 * What the OCPP tests share (ocpp-charger-16.test.ts, ocpp-charger-201.test.ts): the node's central system on
 * 127.0.0.1 with a free port, 15-minute slots and its clock at t0, and a simulated OCPP 1.6J charge point
 * (ocpp-rpc's own RPCClient) that records what the central system asks of it. Both are stopped after the test
 * (stops.ts).
 */

export const slotMs = 900_000
export const t0 = Date.parse('2026-06-17T10:00:00Z')

export async function charger(
  c: ReturnType<typeof collector>,
  extra: Partial<ConstructorParameters<typeof OcppCharger>[0]> = {}
): Promise<OcppCharger> {
  const ch = new OcppCharger({ host: '127.0.0.1', port: 0, chargePointId: 'CP-0042', toleranceMs: 60_000, slotMs, now: () => t0, ...extra })
  await ch.start(c.sink)
  stops.push(async () => {
    await ch.stop()
  })
  return ch
}

/** The simulated charge point: records what the central system asks of it, and accepts it. */
export async function chargePoint(
  ch: OcppCharger,
  identity = 'CP-0042',
  password?: string
): Promise<{ cp: RPCClient; calls: Array<{ method: string; params: any }>; until: (what: string, cond: () => boolean) => Promise<void> }> {
  const calls: Array<{ method: string; params: any }> = []
  const w = collector()
  const cp = new RPCClient({
    endpoint: `ws://127.0.0.1:${ch.address.port}/ocpp`,
    identity,
    protocols: ['ocpp1.6'],
    strictMode: true,
    reconnect: false,
    ...(password != null ? { password } : {})
  } as any)
  cp.handle(async ({ method, params }) => {
    calls.push({ method: method!, params })
    w.sink.sample({} as MeterSample)
    return { status: 'Accepted' }
  })
  await cp.connect()
  stops.push(async () => {
    await cp.close({ force: true })
  })
  return { cp, calls, until: w.until }
}
