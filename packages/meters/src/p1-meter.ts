import type { SerialPort } from 'serialport'
import { parseTelegram, telegramSample, TelegramFramer, type P1Standard } from './dsmr-telegram.ts'
import { checkSample, type Meter, type MeterSink } from './meter.ts'
import { closeSerialLine, openSerialLine } from './serial-line.ts'

export interface P1MeterInit {
  /** the serial device of the P1 cable: /dev/ttyUSB0, /dev/serial/by-id/… */
  port: string
  /** 115200 for DSMR 4 and 5 and the Swedish P1 port (8N1) */
  baudRate: number
  /** what the telegram's time stamp means (dsmr: local time by its S/W letter; se: UTC+1 all year); default dsmr */
  standard?: P1Standard
  /** the meter's identity when its telegrams carry no equipment id (the Swedish P1 port's do not) */
  meterId?: string
  /** see Meter.toleranceMs; a DSMR 5 meter sends a telegram every second, DSMR 4 every ten */
  toleranceMs: number
}

/**
 * A smart meter's P1 port through a serial port — DSMR 4/5 (NL, BE) or the Swedish P1 port: telegrams
 * framed, their CRC checked, OBIS registers read (the totals 1.8.0/2.8.0, or DSMR's tariffs 1 + 2). A
 * telegram with a bad CRC or an unreadable line is refused and counted (`sink.refused`), never turned
 * into a reading. The meter's identity is its equipment identifier, or `meterId` where the telegram
 * carries none.
 */
export class P1Meter implements Meter {
  readonly id: string
  readonly toleranceMs: number
  readonly #init: P1MeterInit
  #port: SerialPort | undefined
  /** telegrams read and refused since start */
  readonly counts = { telegrams: 0, refused: 0 }

  constructor(init: P1MeterInit) {
    this.#init = init
    this.id = `p1:${init.port}`
    this.toleranceMs = init.toleranceMs
  }

  async start(sink: MeterSink): Promise<void> {
    const framer = new TelegramFramer()
    const options = {
      ...(this.#init.standard != null ? { standard: this.#init.standard } : {}),
      ...(this.#init.meterId != null ? { id: this.#init.meterId } : {})
    }
    this.#port = await openSerialLine(
      { label: 'P1', path: this.#init.port, baudRate: this.#init.baudRate, parity: 'none' },
      sink,
      (chunk: Buffer) => {
        for (const t of framer.push(chunk)) {
          this.counts.telegrams++
          try {
            sink.sample(checkSample(telegramSample(parseTelegram(t), options)))
          } catch (err) {
            this.counts.refused++
            sink.refused(err as Error)
          }
        }
      }
    )
  }

  async stop(): Promise<void> {
    const port = this.#port
    this.#port = undefined
    await closeSerialLine(port)
  }
}
