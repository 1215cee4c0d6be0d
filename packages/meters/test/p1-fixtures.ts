import { readFile } from 'node:fs/promises'
import { crc16 } from '../src/index.ts'

/**
 * A Swedish P1 fixture (fixtures/p1-se): the file's header names its source; the telegram follows, from its first line
 * that starts with /.
 */
export async function seTelegram(name: string): Promise<Uint8Array> {
  const file = await readFile(new URL(`./fixtures/p1-se/${name}`, import.meta.url))
  return new Uint8Array(file.subarray(file.indexOf('\n/') + 1))
}

/** A telegram edited as a meter's next one would be: `edit` on its text up to !, its CRC recomputed. */
export function edited(telegram: Uint8Array, edit: (body: string) => string): Uint8Array {
  const text = Buffer.from(telegram).toString('latin1')
  const body = edit(text.slice(0, text.indexOf('!') + 1))
  return new Uint8Array(
    Buffer.from(body + crc16(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0') + '\r\n', 'latin1')
  )
}
