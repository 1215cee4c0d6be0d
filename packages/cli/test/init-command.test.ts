import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConfigError, toHex } from '@kvartal/protocol'
import { Journal } from '@kvartal/node'
import { loadNodeConfig } from '../src/node-config.ts'
import { configText, initCommand, type MeterChoice } from '../src/init-command.ts'
import { AlreadyExistsError } from '../src/keys-command.ts'

/** Every top-level field validateNodeConfig knows (node-config.ts): init must write or show each. */
const NODE_FIELDS = [
  'district',
  'dataDir',
  'listen',
  'bootstrap',
  'mdns',
  'slots',
  'tariffs',
  'strategy',
  'limits',
  'market',
  'site',
  'building',
  'position',
  'log',
  'settlement',
  'mobility',
  'grid',
  'meter',
  'metrics'
]

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-init-'))
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(async () => {
  vi.restoreAllMocks()
  await rm(dir, { recursive: true, force: true })
})

async function seedOf(dataDir: string): Promise<string | undefined> {
  const j = await Journal.open(dataDir)
  try {
    const s = await j.loadSeed()
    return s == null ? undefined : toHex(s)
  } finally {
    await j.close()
  }
}

describe('kvartal init', () => {
  it('writes a config that loadNodeConfig loads unchanged, for every meter, with and without a feeder', async () => {
    for (const meter of ['none', 'p1', 'han', 'mqtt', 'modbus', 'ocpp'] as MeterChoice[]) {
      for (const feeder of [undefined, 'f07']) {
        const text = configText({
          district: 'trondheim-sor',
          listen: ['/ip4/0.0.0.0/tcp/4101'],
          meter,
          ...(feeder != null ? { feeder } : {})
        })
        const file = join(dir, `${meter}-${feeder ?? 'x'}.yaml`)
        await writeFile(file, text)
        const c = await loadNodeConfig(file)
        expect(c.district).toBe('trondheim-sor')
        expect(c.dataDir).toBe(join(dir, 'data'))
        expect(c.meter?.kind ?? 'none', meter).toBe(meter)
        expect(c.grid?.feeder).toBe(feeder)
        expect(c.building?.kind).toBe('household')
        expect([c.slots.seconds, c.settlement.periodSlots, c.settlement.adapter]).toEqual([900, 96, 'local'])
        // every field the node reads is there, set or commented out, and every setting says what it is
        for (const f of NODE_FIELDS) expect(text, f).toMatch(new RegExp(`^(# )?${f}:`, 'm'))
        for (const line of text.split('\n').filter(l => l.trim() !== '')) expect(line, 'a line without a comment').toMatch(/#|:$/)
      }
    }
  })

  it('creates the key in the data directory (owner-only); refuses to overwrite config or key without --force', async () => {
    await initCommand({ dir, district: 'demo', meter: 'none' })
    const config = join(dir, 'node.yaml')
    const c = await loadNodeConfig(config)
    const seed = await seedOf(c.dataDir)
    expect(seed).toMatch(/^[0-9a-f]{64}$/)
    expect((await stat(c.dataDir)).mode & 0o777).toBe(0o700)
    const text = await readFile(config, 'utf8')

    // again: refused, nothing changed
    await writeFile(config, text + '# my edit\n')
    await expect(initCommand({ dir, district: 'other' })).rejects.toThrow(AlreadyExistsError)
    expect(await readFile(config, 'utf8')).toBe(text + '# my edit\n')
    expect(await seedOf(c.dataDir)).toBe(seed)

    // a key but no config: refused before the config is written
    await rm(config)
    await expect(initCommand({ dir, district: 'other' })).rejects.toThrow(/already holds this node's key/)
    await expect(stat(config)).rejects.toThrow()
    expect(await seedOf(c.dataDir)).toBe(seed)

    // --force: a new config and a new key; the old key kept, 0600, as a kvartal-key/1 document
    await initCommand({ dir, district: 'other', force: true })
    expect((await loadNodeConfig(config)).district).toBe('other')
    const now = await seedOf(c.dataDir)
    expect(now).not.toBe(seed)
    const { readdir } = await import('node:fs/promises')
    const kept = await readdir(join(c.dataDir, 'keys'))
    expect(kept).toHaveLength(1)
    const file = join(c.dataDir, 'keys', kept[0])
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'kvartal-key/1', seed })
  })

  it("refuses an operator's own config without --force, before it creates any key", async () => {
    await writeFile(join(dir, 'node.yaml'), 'district: mine\n')
    await expect(initCommand({ dir })).rejects.toThrow(/node\.yaml exists: not overwriting it \(give --force/)
    expect(await readFile(join(dir, 'node.yaml'), 'utf8')).toBe('district: mine\n')
    await expect(stat(join(dir, 'data'))).rejects.toThrow()
  })

  it('names a bad flag', async () => {
    await expect(initCommand({ dir, district: 'Bad_District' })).rejects.toThrow(ConfigError)
    await expect(initCommand({ dir, district: 'Bad_District' })).rejects.toThrow(/^--district: /)
    await expect(initCommand({ dir, listen: ['tcp:4101'] })).rejects.toThrow(/^--listen: /)
    await expect(initCommand({ dir, feeder: 'F 7' })).rejects.toThrow(/^--feeder: /)
    await expect(stat(join(dir, 'node.yaml'))).rejects.toThrow()
  })
})
