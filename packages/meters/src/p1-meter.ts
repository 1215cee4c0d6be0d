import type { SerialPort } from 'serialport'
import { parseTelegram, telegramSample, TelegramFramer } from './dsmr-telegram.ts'
import { checkSample, type Meter, type MeterSink } from './meter.ts'
import { closeSerialLine, openSerialLine } from './serial-line.ts'

export interface P1MeterInit {
  /** the serial device of the P1 cable: /dev/ttyUSB0, /dev/serial/by-id/… */
  port: string
  /** 115200 for DSMR 4 and 5 (8N1) */
  baudRate: number
  /** see Meter.toleranceMs; a DSMR 5 meter sends a telegram every second, DSMR 4 every ten */
  toleranceMs: number
}

/**
 * A DSMR 4/5 smart meter's P1 port (NL, BE, LU) through a serial port: telegrams framed, their CRC
 * checked, OBIS registers read. A telegram with a bad CRC or an unreadable line is refused and counted
 * (`sink.refused`), never turned into a reading. The meter's identity is its equipment identifier.
 */
export class P1Meter implements Meter {
  readonly id: string
  readonly toleranceMs: number
  readonly #init: P1MeterInit
  #port: SerialPort | undefined
  /** telegrams read and refused since start */
  readonly counts = { telegrams: 0, refused: 0 }

  constructor (init: P1MeterInit) { this.#init = init; this.id = `p1:${init.port}`; this.toleranceMs = init.toleranceMs }

  async start (sink: MeterSink): Promise<void> {
    const framer = new TelegramFramer()
    this.#port = await openSerialLine({ label: 'P1', path: this.#init.port, baudRate: this.#init.baudRate, parity: 'none' }, sink, (chunk: Buffer) => {
      for (const t of framer.push(chunk)) {
        this.counts.telegrams++
        try {
          sink.sample(checkSample(telegramSample(parseTelegram(t))))
        } catch (err) {
          this.counts.refused++
          sink.refused(err as Error)
        }
      }
    })
  }

  async stop (): Promise<void> {
    const port = this.#port
    this.#port = undefined
    await closeSerialLine(port)
  }
}
