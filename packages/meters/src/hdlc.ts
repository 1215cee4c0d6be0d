import { BadChecksumError, MeterDataError } from './meter.ts'

/** CRC-16/X.25 (RFC 1662's FCS-16): HDLC's header and frame check sequences. */
export function crc16x25(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let crc = 0xffff
  for (let i = from; i < to; i++) {
    crc ^= bytes[i]
    for (let b = 0; b < 8; b++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ 0x8408 : crc >>> 1
  }
  return ~crc & 0xffff
}

/**
 * The information field of one HDLC frame (IEC 62056-46, frame format type 3) as the Norwegian HAN
 * port sends it: `7E`, format and length, destination and source addresses, control, HCS, information,
 * FCS, `7E`. Both checksums must match, or the frame is refused whole.
 */
export function hdlcInformation(frame: Uint8Array): Uint8Array {
  if (frame.length < 9 || frame[0] !== 0x7e || frame[frame.length - 1] !== 0x7e)
    throw new MeterDataError('malformed', 'an HDLC frame runs from 7E to 7E')
  if ((frame[1] & 0xf0) !== 0xa0)
    throw new MeterDataError('malformed', `not an HDLC frame of format type 3 (format byte ${frame[1].toString(16)})`)
  if ((frame[1] & 0x08) !== 0) throw new MeterDataError('segmented', 'segmented HDLC frames are not supported')
  const length = ((frame[1] & 0x07) << 8) | frame[2]
  if (length !== frame.length - 2)
    throw new MeterDataError('malformed', `the frame says ${length} bytes between its flags, it has ${frame.length - 2}`)
  let i = 3
  for (let n = 0; n < 2; n++) {
    while (i < frame.length && (frame[i] & 1) === 0) i++
    i++
  } // two addresses, each ends with LSB 1
  i++ // control
  const fcs = frame[frame.length - 3] | (frame[frame.length - 2] << 8)
  if (crc16x25(frame, 1, frame.length - 3) !== fcs)
    throw new BadChecksumError(`HDLC frame refused: its FCS ${fcs.toString(16).toUpperCase()} does not match its content`)
  if (i + 2 >= frame.length - 3) return new Uint8Array() // no information field, no HCS
  const hcs = frame[i] | (frame[i + 1] << 8)
  if (crc16x25(frame, 1, i) !== hcs)
    throw new BadChecksumError(`HDLC frame refused: its HCS ${hcs.toString(16).toUpperCase()} does not match its header`)
  return frame.subarray(i + 2, frame.length - 3)
}

/** Cuts a byte stream into HDLC frames by their flags and length field; bytes outside a frame are dropped. */
export class HdlcFramer {
  #buf = Buffer.alloc(0)
  push(chunk: Uint8Array): Uint8Array[] {
    this.#buf = Buffer.concat([this.#buf, chunk])
    const out: Uint8Array[] = []
    for (;;) {
      const start = this.#buf.indexOf(0x7e)
      if (start < 0) {
        this.#buf = Buffer.alloc(0)
        break
      }
      this.#buf = this.#buf.subarray(start)
      if (this.#buf.length < 3) break
      if ((this.#buf[1] & 0xf0) !== 0xa0) {
        this.#buf = this.#buf.subarray(1)
        continue
      } // a closing flag, or noise
      const total = (((this.#buf[1] & 0x07) << 8) | this.#buf[2]) + 2
      if (this.#buf.length < total) break
      out.push(new Uint8Array(this.#buf.subarray(0, total)))
      this.#buf = this.#buf.subarray(total)
    }
    return out
  }
}
