import type { SerialPort } from 'serialport'
import { MeterConnectionError, type MeterSink } from './meter.ts'

export interface SerialLineInit {
  /** what the port is, for messages: "P1", "HAN" */
  readonly label: string
  readonly path: string
  readonly baudRate: number
  readonly parity: 'none' | 'even'
}

/**
 * Opens a meter's serial port (8 data bits, 1 stop bit) and hands every chunk read to `onData`; a port
 * error reaches the sink as a MeterConnectionError. Rejects with one when the port does not open.
 */
export async function openSerialLine(init: SerialLineInit, sink: MeterSink, onData: (chunk: Buffer) => void): Promise<SerialPort> {
  const { SerialPort } = await import('serialport')
  const port = new SerialPort({ path: init.path, baudRate: init.baudRate, dataBits: 8, parity: init.parity, stopBits: 1, autoOpen: false })
  port.on('data', onData)
  port.on('error', err => {
    sink.refused(new MeterConnectionError(`${init.label} port ${init.path}: ${err.message}`, { cause: err }))
  })
  await new Promise<void>((resolve, reject) => {
    port.open(err => {
      if (err != null) reject(new MeterConnectionError(`cannot open the ${init.label} port ${init.path}: ${err.message}`, { cause: err }))
      else resolve()
    })
  })
  return port
}

export async function closeSerialLine(port: SerialPort | undefined): Promise<void> {
  if (port?.isOpen === true)
    await new Promise<void>(resolve => {
      port.close(() => resolve())
    })
}
