import type { SerialPort } from 'serialport'
import { parseTelegram, telegramSample, TelegramFramer } from './dsmr-telegram.ts'
import { checkSample, MeterConnectionError, type Meter, type MeterSink } from './meter.ts'

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
    const { SerialPort } = await import('serialport')
    const framer = new TelegramFramer()
    const port = new SerialPort({ path: this.#init.port, baudRate: this.#init.baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false })
    port.on('data', (chunk: Buffer) => {
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
    port.on('error', (err) => { sink.refused(new MeterConnectionError(`P1 port ${this.#init.port}: ${err.message}`, { cause: err })) })
    await new Promise<void>((resolve, reject) => {
      port.open((err) => { if (err != null) reject(new MeterConnectionError(`cannot open the P1 port ${this.#init.port}: ${err.message}`, { cause: err })); else resolve() })
    })
    this.#port = port
  }

  async stop (): Promise<void> {
    const port = this.#port
    this.#port = undefined
    if (port?.isOpen === true) await new Promise<void>(resolve => { port.close(() => resolve()) })
  }
}
