/**
 * A journal whose writes fail for another reason than a full disk (journal-guard.ts): an I/O error of the
 * disk (a test double of a failing disk under a real LevelDB, testing/failing-disk.ts) or its database
 * closed from under it (real). The write that fails throws JournalWriteError (code
 * `journal-write-failed`) and says so once; later writes are refused at once with the same typed error,
 * without reaching LevelDB; once the disk works again the journal reopens, takes a test write and
 * writes again; every record written before the failure and after it is there after a reopen, and none
 * of the failed ones. A disk that reports ENOSPC the same way is still a DiskFullError.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DiskFullError, JournalError, JournalWriteError } from '@kvartal/protocol'
import { Journal, type JournalRefusalCode } from '../src/journal.ts'
import { FailingDisk } from '../testing/failing-disk.ts'

const base = mkdtempSync(join(tmpdir(), 'kvartal-journal-failure-'))
afterAll(() => {
  rmSync(base, { recursive: true, force: true })
})

/** what the journal told (onStorage), and a wait for the next time it says it writes again */
function listen(j: Journal): { told: Array<[boolean, JournalRefusalCode, string]>; recovered: () => Promise<void> } {
  const told: Array<[boolean, JournalRefusalCode, string]> = []
  const waiters: Array<() => void> = []
  j.onStorage = (refusing, detail, code) => {
    told.push([refusing, code, detail])
    if (!refusing) for (const w of waiters.splice(0)) w()
  }
  return {
    told,
    recovered: async () => {
      await new Promise<void>(resolve => waiters.push(resolve))
    }
  }
}

describe('a journal whose writes fail', () => {
  it('refuses writes with JournalWriteError after an I/O error, writes again once the disk works, and keeps every record', async () => {
    const dir = join(base, 'eio')
    const disk = new FailingDisk()
    const j = await Journal.open(dir, { sync: true, diskProbeMs: 20, database: disk.database })
    const { told, recovered } = listen(j)
    const channels = j.sublevel('channels')
    const utf8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const
    const written: string[] = []
    try {
      for (const k of ['a', 'b']) {
        await j.putRecord('t', k, { n: k }, 'traveller-package')
        written.push(k)
      }
      expect(j.refusing).toBeUndefined()
      disk.fail()
      const failure = await j.putRecord('t', 'lost', { n: 'lost' }, 'traveller-package').catch((err: unknown) => err)
      expect(failure).toBeInstanceOf(JournalWriteError)
      expect(failure).toBeInstanceOf(JournalError)
      expect(failure).not.toBeInstanceOf(DiskFullError)
      expect(failure).toMatchObject({
        name: 'JournalWriteError',
        code: 'journal-write-failed',
        message: expect.stringMatching(
          new RegExp(
            String.raw`^journal write failed \(traveller-package\): IO error: .*Input\/output error\. ` +
              'New work is refused until the journal writes again'
          )
        )
      })
      expect(j.refusing).toEqual({ code: 'journal-write-failed', detail: expect.stringMatching(/Input\/output error/) })
      expect(j.full).toBe(false)
      expect(told).toEqual([[true, 'journal-write-failed', expect.stringMatching(/journal write failed \(traveller-package\)/)]])
      // refused at once, typed, however often it is asked; said once. A sublevel's writes fail too (at the disk)
      const reached = disk.writes
      for (let k = 0; k < 3; k++)
        await expect(j.nextCounter('c')).rejects.toMatchObject({
          name: 'JournalWriteError',
          message: expect.stringMatching(/^journal write refused \(counter\)/)
        })
      expect(disk.writes - reached).toBeLessThanOrEqual(1) // a probe's test write at most, never the refused writes
      // (the disk's I/O error, or, when the guard's probe is reopening the database at that moment, a closed
      // database: a sublevel's write is not guarded, and either way it fails; a loaded machine met the second)
      const sublevel = await channels.batch([{ type: 'put', key: 'head', value: 'lost' }], utf8).then(
        () => 'written',
        (err: { code?: string }) => err.code
      )
      expect(['LEVEL_IO_ERROR', 'LEVEL_DATABASE_NOT_OPEN']).toContain(sublevel)
      // a probe reopens the journal and tries a test write, which the disk fails as well: still refusing, said once
      const probed = await Promise.race([disk.nextFailure().then(() => 'the test write failed'), recovered().then(() => 'recovered')])
      expect(probed).toBe('the test write failed')
      expect(j.refusing?.code).toBe('journal-write-failed')
      expect(told).toHaveLength(1)
      // the disk works again: the guard's probe reopens the journal and its test write passes
      const back = recovered()
      disk.heal()
      await back
      expect(j.refusing).toBeUndefined()
      expect(told[1]).toEqual([false, 'journal-write-failed', expect.stringMatching(/reopened and writes again/)])
      await j.putRecord('t', 'after', { n: 'after' }, 'traveller-package')
      written.push('after')
      await channels.batch([{ type: 'put', key: 'head', value: 'h2' }], utf8)
      expect(await channels.get('head', utf8)).toBe('h2')
    } finally {
      await j.close()
    }
    const j2 = await Journal.open(dir, { sync: true })
    expect((await j2.records('t')).map(([k]) => k)).toEqual([...written].sort())
    await j2.close()
  })

  it('a database closed from under the journal is a failed write too, and the journal reopens it', async () => {
    const disk = new FailingDisk()
    const j = await Journal.open(join(base, 'closed'), { sync: false, diskProbeMs: 20, database: disk.database })
    const { told, recovered } = listen(j)
    try {
      await j.putRecord('t', 'a', { n: 'a' }, 'traveller-package')
      await disk.db!.close()
      const back = recovered()
      const failure = await j.putRecord('t', 'b', { n: 'b' }, 'traveller-package').catch((err: unknown) => err)
      expect(failure).toMatchObject({
        name: 'JournalWriteError',
        code: 'journal-write-failed',
        cause: expect.objectContaining({ code: 'LEVEL_DATABASE_NOT_OPEN' })
      })
      await back
      expect(told.map(([refusing, code]) => [refusing, code])).toEqual([
        [true, 'journal-write-failed'],
        [false, 'journal-write-failed']
      ])
      await j.putRecord('t', 'c', { n: 'c' }, 'traveller-package')
      expect((await j.records('t')).map(([k]) => k)).toEqual(['a', 'c'])
    } finally {
      await j.close()
    }
  })

  it('a disk that reports no space is a full disk: DiskFullError, and writes resume once there is room', async () => {
    const disk = new FailingDisk()
    const j = await Journal.open(join(base, 'enospc'), { sync: false, diskProbeMs: 20, minFreeBytes: 1, database: disk.database })
    const { told, recovered } = listen(j)
    try {
      disk.fail('ENOSPC')
      await expect(j.nextCounter('c')).rejects.toBeInstanceOf(DiskFullError)
      expect(j.full).toBe(true)
      expect(j.refusing?.code).toBe('disk-full')
      const back = recovered()
      disk.heal()
      await back
      expect(told.map(([refusing, code]) => [refusing, code])).toEqual([
        [true, 'disk-full'],
        [false, 'disk-full']
      ])
      expect(await j.nextCounter('c')).toBe(1)
    } finally {
      await j.close()
    }
  })

  it('a write after the journal was closed by its owner is a JournalError, not a failure of the disk', async () => {
    const j = await Journal.open(join(base, 'owner-closed'), { sync: false })
    const { told } = listen(j)
    await j.close()
    await expect(j.putRecord('t', 'a', { n: 'a' }, 'traveller-package')).rejects.toMatchObject({
      name: 'JournalError',
      code: 'journal',
      message: expect.stringMatching(/the journal is closed/)
    })
    expect(j.refusing).toBeUndefined()
    expect(told).toEqual([])
  })
})
