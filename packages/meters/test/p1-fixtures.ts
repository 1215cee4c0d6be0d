import { readFile } from 'node:fs/promises'
import { crc16 } from '../src/index.ts'

/**
 * A P1 fixture whose file opens with a header naming its source (lines starting with #): the telegram
 * follows, from its first line that starts with /, byte for byte.
 */
export async function p1Telegram(dir: 'dsmr' | 'p1-se', name: string): Promise<Uint8Array> {
  const file = await readFile(new URL(`./fixtures/${dir}/${name}`, import.meta.url))
  return new Uint8Array(file.subarray(file.indexOf('\n/') + 1))
}

/** A Swedish P1 fixture (fixtures/p1-se): the file's header names its source. */
export const seTelegram = (name: string): Promise<Uint8Array> => p1Telegram('p1-se', name)

/** A telegram edited as a meter's next one would be: `edit` on its text up to !, its CRC recomputed. */
export function edited(telegram: Uint8Array, edit: (body: string) => string): Uint8Array {
  const text = Buffer.from(telegram).toString('latin1')
  const body = edit(text.slice(0, text.indexOf('!') + 1))
  return new Uint8Array(
    Buffer.from(body + crc16(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0') + '\r\n', 'latin1')
  )
}
