import type { P1Standard } from './dsmr-telegram.ts'
import type { EnergyUnit } from './json-path.ts'
import type { Meter } from './meter.ts'
import type { ModbusTransport } from './modbus-meter.ts'
import { MqttMeter, type MqttReading } from './mqtt-meter.ts'

/** A meter as a node's config names it (validated by the CLI); `createMeter` makes the driver. */
export type MeterSpec =
  | {
      kind: 'mqtt'
      url: string
      username?: string
      password?: string
      id?: string
      import: MqttReading
      export?: MqttReading
      time?: string
      toleranceMs: number
    }
  | { kind: 'p1'; port: string; baudRate: number; toleranceMs: number; standard?: P1Standard; meterId?: string }
  | { kind: 'han'; port: string; baudRate: number; toleranceMs: number; kamstrupRegisterWh?: 1 | 10 }
  | { kind: 'modbus'; transport: ModbusTransport; unitId: number; pollMs: number; toleranceMs: number }
  | {
      kind: 'ocpp'
      host: string
      port: number
      chargePointId: string
      connectorId: number
      password?: string
      heartbeatSeconds: number
      alignedSeconds: number
      toleranceMs: number
    }

export type { EnergyUnit }

export async function createMeter(spec: MeterSpec): Promise<Meter> {
  switch (spec.kind) {
    case 'mqtt': {
      const { kind: _, ...init } = spec
      return new MqttMeter(init)
    }
    case 'han': {
      const { HanMeter } = await import('./han-meter.ts')
      return new HanMeter({
        port: spec.port,
        baudRate: spec.baudRate,
        toleranceMs: spec.toleranceMs,
        kamstrupRegisterWh: spec.kamstrupRegisterWh
      })
    }
    case 'modbus': {
      const { ModbusMeter } = await import('./modbus-meter.ts')
      const { kind: _, ...init } = spec
      return new ModbusMeter(init)
    }
    case 'ocpp': {
      const { OcppCharger } = await import('./ocpp-charger.ts')
      const { kind: _, ...init } = spec
      return new OcppCharger(init)
    }
    case 'p1': {
      const { P1Meter } = await import('./p1-meter.ts')
      const { kind: _, ...init } = spec
      return new P1Meter(init)
    }
  }
}
