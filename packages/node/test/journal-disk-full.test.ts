/**
 * The journal on a small tmpfs that fills up (disk-guard.ts): the write that finds the disk full
 * throws DiskFullError (code 'disk-full') and says so once; later writes are refused without touching
 * LevelDB; once space returns the journal is reopened and writes again; everything written before is
 * there after a reopen, and nothing written after the failure is lost. Opening a journal on a full disk
 * is a DiskFullError too. Needs root to mount; skips with the reason otherwise.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DiskFullError } from '@kvartal/protocol'
import { Journal } from '../src/journal.ts'
import { fillDisk, freeDisk, mountTmpfs, resizeTmpfs, unmountTmpfs } from '../../../tests/helpers/tmpfs.ts'

const base = mkdtempSync(join(tmpdir(), 'kvartal-journal-full-'))
const mnt = join(base, 'mnt')
const mounted = mountTmpfs(mnt, 2 * 1024 * 1024)
if (!mounted.ok)
  console.warn(`journal disk-full test skipped: cannot mount a tmpfs at ${mnt} (${mounted.why}); it needs root or CAP_SYS_ADMIN`)

describe.skipIf(!mounted.ok)('the journal on a full disk', () => {
  afterAll(() => {
    unmountTmpfs(mnt)
    rmSync(base, { recursive: true, force: true })
  })

  it('refuses writes with DiskFullError while full, reopens when space returns, and keeps every record', async () => {
    const dir = join(mnt, 'j')
    const j = await Journal.open(dir, { sync: true, minFreeBytes: 128 * 1024, diskProbeMs: 10 })
    const told: Array<[boolean, string]> = []
    j.onStorage = (full, detail) => {
      told.push([full, detail])
    }
    const written: string[] = []
    // a sublevel handed out before (the channel store's) works after the reopen too
    const channels = j.sublevel('channels')
    const utf8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const
    await channels.batch([{ type: 'put', key: 'head', value: 'h1' }], utf8)
    try {
      let failure: unknown
      // random payloads do not compress: the disk fills within a few hundred writes
      for (let i = 0; i < 5_000 && failure == null; i++) {
        const key = String(i).padStart(5, '0')
        try {
          await j.putRecord('t', key, { data: randomBytes(1_500).toString('base64') }, 'traveller-package')
          written.push(key)
        } catch (err) {
          failure = err
        }
      }
      expect(failure).toBeInstanceOf(DiskFullError)
      expect((failure as DiskFullError).code).toBe('disk-full')
      expect((failure as Error).message).toMatch(/No space left on device/)
      expect(j.full).toBe(true)
      expect(told).toEqual([[true, expect.stringMatching(/is full/)]])
      // refused, however often it is asked, while there is no room; said once
      for (let k = 0; k < 3; k++) await expect(j.nextCounter('c')).rejects.toBeInstanceOf(DiskFullError)
      expect(told).toHaveLength(1)
      // space comes back (the tmpfs grows): the guard's probe reopens the journal by itself
      resizeTmpfs(mnt, 8 * 1024 * 1024)
      await expect.poll(() => j.full, { timeout: 10_000 }).toBe(false)
      expect(told[1]).toEqual([false, expect.stringMatching(/reopened and writes again/)])
      await j.putRecord('t', 'after', { data: 'x' }, 'traveller-package')
      await channels.batch([{ type: 'put', key: 'head', value: 'h2' }], utf8)
      expect(await channels.get('head', utf8)).toBe('h2')
    } finally {
      await j.close()
    }
    // everything written before the disk filled, and after it had room again, is there after a reopen
    const j2 = await Journal.open(dir, { sync: true })
    expect((await j2.records('t')).map(([k]) => k)).toEqual([...written, 'after'])
    await j2.close()
    // a journal opened on a full disk says so with the same typed error
    const filler = fillDisk(mnt)
    try {
      const opened = await Journal.open(join(mnt, 'new'), { sync: true }).catch((err: unknown) => err)
      expect(opened).toBeInstanceOf(DiskFullError)
    } finally {
      freeDisk(filler)
    }
  })
})
