import type { SerialPort } from 'serialport'
import { HdlcFramer } from './hdlc.ts'
import { hanFrame, hanSample } from './han-list.ts'
import { checkSample, type Meter, type MeterSink } from './meter.ts'
import { closeSerialLine, openSerialLine } from './serial-line.ts'

export interface HanMeterInit {
  /** the serial device of the M-Bus adapter on the HAN port */
  port: string
  /** 2400 baud, 8 data bits, even parity (Aidon, Kaifa, Kamstrup) */
  baudRate: number
  /**
   * see Meter.toleranceMs. HAN meters push their registers once an hour (list 3, at hh:00:10), so a
   * node reading HAN needs hourly slots, or records the quarter-hours in between as gaps
   */
  toleranceMs: number
  /** Wh per count of a Kamstrup's energy registers: 10 (Norwegian, the default) or 1 (Swedish); see HanListOptions */
  kamstrupRegisterWh?: 1 | 10
}

/**
 * A Norwegian AMS meter's HAN port (Aidon, Kaifa, Kamstrup): HDLC frames over M-Bus, HCS and FCS
 * checked, DLMS lists read. A frame that fails a checksum or cannot be read is refused and counted;
 * lists without cumulative registers (power only, every 2 and 10 s) make no sample.
 */
export class HanMeter implements Meter {
  readonly id: string
  readonly toleranceMs: number
  readonly #init: HanMeterInit
  #port: SerialPort | undefined
  readonly counts = { frames: 0, refused: 0, samples: 0 }

  constructor(init: HanMeterInit) {
    this.#init = init
    this.id = `han:${init.port}`
    this.toleranceMs = init.toleranceMs
  }

  async start(sink: MeterSink): Promise<void> {
    const framer = new HdlcFramer()
    this.#port = await openSerialLine(
      { label: 'HAN', path: this.#init.port, baudRate: this.#init.baudRate, parity: 'even' },
      sink,
      (chunk: Buffer) => {
        for (const f of framer.push(chunk)) {
          this.counts.frames++
          try {
            const s = hanSample(hanFrame(f, { kamstrupRegisterWh: this.#init.kamstrupRegisterWh }))
            if (s != null) {
              this.counts.samples++
              sink.sample(checkSample(s))
            }
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
