import { expected, section, show, text, whole, z } from '@kvartal/config'
import { EnergyUnit, P1Standard, parseJsonPath, type MeterSpec, type ModbusTransport } from '@kvartal/meters'

/**
 * The `meter:` section of a node config: one driver, named by its key (the field list that
 * meter-config.ts checked by hand, now the one truth for validation, defaults and the JSON Schema).
 *   meter: { mqtt: { url, import: { topic, path, unit }, export?, time?, id?, username?, passwordEnv?, toleranceSeconds? } }
 *   meter: { p1: { port: /dev/ttyUSB0, baudRate?: 115200, standard?: dsmr | se, id?, toleranceSeconds? } }
 *   meter: { han: { port: /dev/ttyUSB0, baudRate?: 2400, toleranceSeconds?, kamstrupRegisterWh?: 10 | 1 } }   (hourly registers)
 *   meter: { modbus: { host, port?: 502, unitId?: 1, pollSeconds?: 5, toleranceSeconds? } }   (SunSpec over Modbus TCP)
 *   meter: { modbus: { serialPath: /dev/ttyUSB0, baudRate?: 9600, unitId?: 1, pollSeconds?, toleranceSeconds? } }   (RTU)
 *   meter: { ocpp: { listen: '0.0.0.0:8887', chargePointId, connectorId?: 1, passwordEnv?, heartbeatSeconds?: 300,
 *                    alignedSeconds?: 900, toleranceSeconds? } }
 * The output is the driver's MeterSpec, with `passwordEnv` still a name: meter-config.ts reads the
 * environment, so that a schema never holds a secret.
 */

const units = Object.keys(EnergyUnit) as [EnergyUnit, ...EnergyUnit[]]

const tolerance = (seconds: number): z.ZodDefault<z.ZodInt> =>
  whole(0, 300, 'a whole number of seconds')
    .default(seconds)
    .describe(`how long after a slot boundary a sample still stands for it, seconds (default ${seconds})`)

const jsonPath = z.string({ error: expected('a JSON path such as $.data.lastMeterConsumption') }).superRefine((v, ctx) => {
  try {
    parseJsonPath(v)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message, input: v })
  }
})

const serialPort = (example: string): z.ZodString =>
  text(`a serial device such as ${example}`).describe(`the serial device (${example}; /dev/serial/by-id/… survives re-plugging)`)

const passwordEnv = text('the name of an environment variable').describe(
  'the environment variable that holds the password (never the password itself: a config file is not a secret store)'
)

const reading = (what: string) =>
  section(
    {
      topic: text('one MQTT topic, without the wildcards + and #', /^[^#+]+$/).describe('the topic the gateway publishes the register on'),
      path: jsonPath
        .default('$')
        .describe('where the value is in the message: a JSON path such as $.data.lastMeterConsumption ($: the whole message)'),
      unit: z
        .enum(units, { error: expected(`one of ${units.join(', ')}`) })
        .default('kWh')
        .describe("the register's unit")
    },
    `{ topic, path, unit } of the cumulative ${what} register`
  ).describe(`the cumulative ${what} register`)

const mqtt = section({
  url: text('a broker URL such as mqtt://192.168.1.10:1883', /^(mqtts?|wss?|tcp|ssl):\/\/[^/]+/).describe(
    'the broker (mqtt://, mqtts://, ws://, wss://)'
  ),
  username: text("the broker's user name").optional().describe("the broker's user, if it asks for one"),
  passwordEnv: passwordEnv.optional(),
  id: text("the meter's name").optional().describe("the meter's name in its signed readings (default: mqtt:<import topic>)"),
  import: reading('import'),
  export: reading('export').optional(),
  time: jsonPath.optional().describe("the gateway's timestamp in the import message; absent: the arrival time"),
  toleranceSeconds: tolerance(30)
}).describe('a meter published through an MQTT gateway (Tibber Pulse, Shelly EM, Home Assistant)')

const p1Rates = [9_600, 19_200, 38_400, 57_600, 115_200] as const
const p1Standards = Object.keys(P1Standard) as [P1Standard, ...P1Standard[]]
const p1 = section(
  {
    port: serialPort('/dev/ttyUSB0'),
    baudRate: z
      .literal(p1Rates, {
        error: expected(`one of ${p1Rates.join(', ')} (115200 for DSMR 4 and 5 and the Swedish P1 port, 9600 for DSMR 2.2 and 3)`)
      })
      .default(115_200)
      .describe('115200 for DSMR 4 and 5 and the Swedish P1 port; 9600 for DSMR 2.2 and 3'),
    standard: z
      .enum(p1Standards, { error: expected(`${p1Standards.join(' or ')} (dsmr: NL, BE; se: the Swedish P1 port)`) })
      .optional()
      .describe(
        'what the telegram follows: dsmr (NL, BE: local time by its S/W letter; the ' +
          'default) or se (the Swedish P1 port: UTC+1 all year, no equipment id, so give id)'
      ),
    id: text("the meter's identity, e.g. the number on its front plate", /^[^\s]{1,64}$/)
      .optional()
      .describe(
        "the meter's identity in its signed readings when its telegrams carry none (the Swedish P1 port's " +
          "do not): e.g. the number on its front plate; a telegram's own equipment id (0-0:96.1.1) wins"
      ),
    toleranceSeconds: tolerance(10)
  },
  'a mapping: { port: /dev/ttyUSB0 }'
)
  .superRefine((m, ctx) => {
    if (m.standard === 'se' && m.id == null)
      ctx.addIssue({
        code: 'custom',
        path: ['id'],
        message:
          'is needed with standard: se: a Swedish P1 telegram carries no equipment id, so the ' +
          "meter's identity in its readings comes from here (e.g. the number on its front plate)",
        input: m
      })
  })
  .describe("a smart meter's P1 port, CRC checked: DSMR 4/5 (NL, BE) or the Swedish P1 port (standard: se)")

const han = section(
  {
    port: serialPort('/dev/ttyUSB0'),
    baudRate: z
      .literal([2_400, 9_600], { error: expected('2400 (the Norwegian HAN port) or 9600') })
      .default(2_400)
      .describe('2400 on the Norwegian HAN port; 9600 for some adapters'),
    // above every make's lag after the hour: a 2021 Kamstrup stamps its hourly push at hh:00:55
    toleranceSeconds: tolerance(90),
    kamstrupRegisterWh: z
      .literal([10, 1], { error: expected('10 (a Norwegian Kamstrup) or 1 (a Swedish one)') })
      .default(10)
      .describe(
        "Wh per count of a Kamstrup's energy registers: 10 on Norwegian meters (the NVE list), 1 on Swedish " +
          'Kamstrups that push the same list; their frames cannot tell which. Other makes say their own unit'
      )
  },
  'a mapping: { port: /dev/ttyUSB0 }'
).describe("a Norwegian AMS meter's HAN port (Aidon, Kaifa, Kamstrup): hourly registers")

const rtuRates = [1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 57_600, 115_200] as const
const modbus = section(
  {
    host: text("the device's host name or address").optional().describe("Modbus TCP: the device's host name or address"),
    port: whole(1, 65_535, 'a whole number (the Modbus TCP port)').optional().describe('Modbus TCP: the port (default 502)'),
    serialPath: serialPort('/dev/ttyUSB0').optional().describe('Modbus RTU: the serial line (instead of host)'),
    baudRate: z
      .literal(rtuRates, { error: expected(`a standard rate from 1200 to 115200 (9600 is the Modbus RTU default)`) })
      .optional()
      .describe("Modbus RTU: the line's rate (default 9600)"),
    unitId: whole(1, 255, 'a whole number (the Modbus unit id of the SunSpec device)')
      .default(1)
      .describe('the Modbus unit id of the SunSpec device (RTU: 1 to 247)'),
    pollSeconds: whole(1, 60, 'a whole number of seconds').default(5).describe('seconds between two reads of the registers'),
    toleranceSeconds: whole(0, 300, 'a whole number of seconds')
      .optional()
      .describe('how long after a slot boundary a sample still stands for it, seconds (default: twice pollSeconds, at least 10)')
  },
  'a mapping: { host, port?, unitId? } (Modbus TCP) or { serialPath, baudRate?, unitId? } (RTU)'
)
  .superRefine((m, ctx) => {
    const fail = (path: string[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message, input: m })
    }
    if ((m.host == null) === (m.serialPath == null)) return fail([], 'needs exactly one of host (Modbus TCP) or serialPath (Modbus RTU)')
    if (m.host != null && m.baudRate != null) return fail(['baudRate'], 'is for Modbus RTU (serialPath), not TCP')
    if (m.serialPath != null && m.port != null)
      return fail(['port'], 'is for Modbus TCP (host); a serial line takes serialPath and baudRate')
    if (m.serialPath != null && m.unitId > 247)
      return fail(['unitId'], `expected a whole number between 1 and 247 (a Modbus RTU unit id), got ${m.unitId}`)
    if (m.toleranceSeconds != null && m.toleranceSeconds < m.pollSeconds)
      return fail(['toleranceSeconds'], `must be at least pollSeconds (${m.pollSeconds}): a sample comes only once per poll`)
  })
  .describe('a SunSpec inverter, battery or meter over Modbus TCP (host) or RTU (serialPath)')

const LISTEN = 'host:port or a port (where the charge point connects: ws://host:port/<chargePointId>)'
const listen = z
  .union([z.int(), z.string()], { error: expected(LISTEN) })
  .transform((v, ctx) => {
    const m = typeof v === 'string' ? /^(.+):(\d+)$/.exec(v) : null
    if (typeof v === 'string' && m == null) {
      ctx.addIssue({ code: 'custom', message: `expected ${LISTEN}, got ${show(v)}`, input: v })
      return z.NEVER
    }
    const port = m != null ? Number(m[2]) : (v as number)
    if (port < 1 || port > 65_535) {
      ctx.addIssue({ code: 'custom', message: `expected a port between 1 and 65535, got ${port}`, input: v })
      return z.NEVER
    }
    return { host: m != null ? m[1].replace(/^\[(.*)\]$/, '$1') : '0.0.0.0', port }
  })
  .describe(`where the node listens for its charge point: ${LISTEN}`)

const ocpp = section(
  {
    listen,
    chargePointId: text(
      "the charge point's identity as it puts it in the URL: up to 64 characters, no spaces, /, ? or #",
      /^[^\s/?#]{1,64}$/
    ).describe("the charge point's identity, as in its URL"),
    connectorId: whole(1, 32, 'a whole number (the connector whose meter is the meter)')
      .default(1)
      .describe('the connector whose meter is the meter'),
    passwordEnv: passwordEnv.optional(),
    heartbeatSeconds: whole(10, 86_400, 'a whole number of seconds').default(300).describe('the heartbeat interval given at boot'),
    alignedSeconds: whole(0, 86_400, 'a whole number of seconds')
      .default(900)
      .describe('ClockAlignedDataInterval asked of the charge point (the slot length); 0: not asked'),
    toleranceSeconds: tolerance(60)
  },
  "a mapping: { listen: '0.0.0.0:8887', chargePointId }"
).describe('an EV charger: the node is the OCPP 2.0.1 or 1.6J central system of its one charge point')

const DRIVERS = 'mqtt, p1, han, modbus or ocpp'

/** A meter's spec as the driver takes it, the password still the name of its environment variable. */
export type MeterDoc = MeterSpec & { passwordEnv?: string }

export const meterSchema = section(
  { mqtt: mqtt.optional(), p1: p1.optional(), han: han.optional(), modbus: modbus.optional(), ocpp: ocpp.optional() },
  `a mapping with one driver: ${DRIVERS}`
)
  .superRefine((doc, ctx) => {
    const drivers = Object.keys(doc).filter(k => doc[k as keyof typeof doc] != null)
    if (drivers.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `names one driver (${DRIVERS}), got ${drivers.length === 0 ? 'none' : drivers.join(' and ')}`,
        input: doc
      })
  })
  .transform((doc): MeterDoc => {
    const ms = (s: number): number => s * 1000
    if (doc.modbus != null) {
      const m = doc.modbus
      const transport: ModbusTransport =
        m.host != null
          ? { kind: 'tcp', host: m.host, port: m.port ?? 502 }
          : { kind: 'rtu', path: m.serialPath!, baudRate: m.baudRate ?? 9_600 }
      return {
        kind: 'modbus',
        transport,
        unitId: m.unitId,
        pollMs: ms(m.pollSeconds),
        toleranceMs: ms(m.toleranceSeconds ?? Math.max(10, 2 * m.pollSeconds))
      }
    }
    if (doc.ocpp != null) {
      const { listen, toleranceSeconds, passwordEnv, ...o } = doc.ocpp
      return { kind: 'ocpp', ...listen, ...o, toleranceMs: ms(toleranceSeconds), ...(passwordEnv != null ? { passwordEnv } : {}) }
    }
    if (doc.han != null)
      return {
        kind: 'han',
        port: doc.han.port,
        baudRate: doc.han.baudRate,
        toleranceMs: ms(doc.han.toleranceSeconds),
        ...(doc.han.kamstrupRegisterWh === 1 ? { kamstrupRegisterWh: 1 as const } : {})
      }
    if (doc.p1 != null) {
      const { port, baudRate, standard, id, toleranceSeconds } = doc.p1
      return {
        kind: 'p1',
        port,
        baudRate,
        toleranceMs: ms(toleranceSeconds),
        ...(standard != null ? { standard } : {}),
        ...(id != null ? { meterId: id } : {})
      }
    }
    const { toleranceSeconds, import: imp, export: exp, ...m } = doc.mqtt!
    return {
      kind: 'mqtt',
      ...m,
      import: imp as MqttReadingDoc,
      ...(exp != null ? { export: exp as MqttReadingDoc } : {}),
      toleranceMs: ms(toleranceSeconds)
    }
  })
  .describe("the building's meter, one driver named by its key (docs/meters.md); absent: no meter, every slot a gap")

type MqttReadingDoc = { topic: string; path: string; unit: EnergyUnit }
