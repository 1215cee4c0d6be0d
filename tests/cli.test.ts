import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runKvartal } from './helpers/processes.ts'

describe('kvartal CLI', () => {
  it('a bad scenario file exits non-zero with a message naming the field, and no stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-cli-'))
    try {
      const file = join(dir, 'bad.yaml')
      await writeFile(file, 'district: trondheim\nslots:\n  count: -3\n')
      const p = runKvartal(['sim', file])
      const { code } = await p.exited
      const err = p.stderr.join('')
      expect(code).toBe(2)
      expect(err).toContain('slots.count')
      expect(err).not.toMatch(/\n\s+at /)
      const yaml = join(dir, 'broken.yaml')
      await writeFile(yaml, 'district: [unclosed\n')
      const q = runKvartal(['sim', yaml])
      expect((await q.exited).code).toBe(2)
      expect(q.stderr.join('')).toContain('not valid YAML')
      const r = runKvartal(['sim', join(dir, 'missing.yaml')])
      expect((await r.exited).code).toBe(2)
      expect(r.stderr.join('')).toContain('ENOENT')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a node config without a data directory is refused by name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-cli-'))
    try {
      const file = join(dir, 'node.yaml')
      await writeFile(file, 'district: trondheim\nposition: [100]\n')
      const p = runKvartal(['node', '--config', file])
      expect((await p.exited).code).toBe(2)
      expect(p.stderr.join('')).toContain('dataDir')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a bad flag or a bad device in a node config is refused by name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-cli-'))
    try {
      const p = runKvartal(['sim', '--slots', 'abc'])
      expect((await p.exited).code).toBe(2)
      expect(p.stderr.join('')).toContain('--slots')
      const file = join(dir, 'node.yaml')
      await writeFile(
        file,
        `district: demo\ndataDir: ${join(dir, 'data')}\nbuilding: { kind: household, load: { profile: household, dailyKwh: ` +
          `10 }, battery: { capacityWh: -5, maxChargeW: 1, maxDischargeW: 1, roundTripEfficiency: 0.9, initialSocWh: 0 } }\n`
      )
      const q = runKvartal(['node', '--config', file])
      expect((await q.exited).code).toBe(2)
      expect(q.stderr.join('')).toContain('building.battery.capacityWh')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('simulates a small scenario end to end and writes results and a trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-cli-'))
    try {
      const file = join(dir, 'noon.yaml')
      await writeFile(file, 'district: noon\nslots: { first: 44, count: 8 }\nbuildings: { generate: { count: 10 } }\n')
      const p = runKvartal(['sim', file, '--out', join(dir, 'out'), '--quiet'])
      const { code } = await p.exited
      expect(code, p.stderr.join('')).toBe(0)
      const { readFile } = await import('node:fs/promises')
      const results = JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8'))
      expect(results.metrics.trades).toBeGreaterThan(0)
      expect(results.metrics.consistency.mismatched).toBe(0)
      expect(results.metrics.localShare).toBeGreaterThan(0.9)
      const trace = (await readFile(join(dir, 'out', 'trace.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map(l => JSON.parse(l))
      expect(trace.some(e => e.type === 'trade-committed' && typeof e.correlation === 'string' && typeof e.slot === 'number')).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
