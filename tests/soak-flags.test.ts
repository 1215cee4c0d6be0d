/**
 * `npm run soak`'s flags: a bad value, a flag with no value and an unknown flag are each one line on stderr and
 * exit 2, before any process starts (a real process: the script as a user runs it).
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const soak = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'scripts/soak.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 })

describe('soak flags', () => {
  it.each([
    [['--riders=-3'], 'soak: --riders must be a number ≥ 0, got "-3"'],
    [['--cancel', '150'], 'soak: --cancel'],
    [['--riders', '-3'], "soak: Option '--riders' argument is ambiguous."],
    [['--bogus', '1'], "soak: Unknown option '--bogus'"]
  ])('%j: one line and exit 2', (args, message) => {
    const r = soak(...args)
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(message)
  })
})
