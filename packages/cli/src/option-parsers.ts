import { z } from '@kvartal/config'
import { ConfigError } from '@kvartal/protocol'

/**
 * Typed option parsers for commander (`.option(flags, description, parser)`): each checks the flag's
 * text with a zod schema (as configs and API bodies are checked) and turns it into its value, or throws
 * a ConfigError naming the flag: `kvartal: --slots: must be a whole number of slots, at least 1, got "abc"`.
 */

/** A whole number of `unit`, at least `min`, given as digits. */
export function atLeast(flag: string, min: number, unit: string): (text: string) => number {
  const schema = z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(min))
  return text => {
    const r = schema.safeParse(text)
    if (!r.success) throw new ConfigError(flag, `must be a whole number of ${unit}, at least ${min}, got "${text}"`)
    return r.data
  }
}

/** A TCP port, 0 (a free one) to 65535, given as digits. */
export function portNumber(flag: string): (text: string) => number {
  const schema = z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(0).max(65_535))
  return text => {
    const r = schema.safeParse(text)
    if (!r.success) throw new ConfigError(flag, `must be a port number from 0 (a free one) to 65535, got "${text}"`)
    return r.data
  }
}

/** One of a few words. */
export function oneOf<const T extends readonly [string, ...string[]]>(flag: string, words: T): (text: string) => T[number] {
  const schema = z.enum(words)
  return text => {
    const r = schema.safeParse(text)
    if (!r.success) throw new ConfigError(flag, `must be ${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`)
    return r.data
  }
}
