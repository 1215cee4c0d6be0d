/** CRC-16/ARC (polynomial 0x8005 reflected as 0xA001, initial 0): the checksum of a DSMR P1 telegram. */
export function crc16(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let crc = 0
  for (let i = from; i < to; i++) {
    crc ^= bytes[i]
    for (let b = 0; b < 8; b++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ 0xa001 : crc >>> 1
  }
  return crc
}
