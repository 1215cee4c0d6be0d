import { ConfigError } from '@kvartal/protocol'

/**
 * Typed option parsers for commander (`.option(flags, description, parser)`): each turns the flag's text
 * into its value or throws a ConfigError naming the flag, so a bad flag reads as it always has:
 * `kvartal: --slots: must be a whole number of slots, at least 1, got "abc"`.
 */

/** A whole number of `unit`, at least `min`, given as digits. */
export function atLeast (flag: string, min: number, unit: string): (text: string) => number {
  return (text) => {
    const n = Number(text)
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new ConfigError(flag, `must be a whole number of ${unit}, at least ${min}, got "${text}"`)
    return n
  }
}

/** One of a few words. */
export function oneOf<T extends string> (flag: string, words: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(words as readonly string[]).includes(text)) throw new ConfigError(flag, `must be ${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`)
    return text as T
  }
}
