import { statfs } from 'node:fs/promises'
import { DiskFullError } from '@kvartal/protocol'

/**
 * What a full disk does to the journal, and how it comes back (docs/faults.md).
 *
 * LevelDB (classic-level) reports ENOSPC as `IO error: …: No space left on device`. A failed write of
 * its log loses only that write; but once a background write fails (a memtable flushed to an .ldb
 * file, a compaction), LevelDB keeps that error and fails every later write, even after space has
 * returned, until the database is closed and opened again. So the guard, once a write found the disk
 * full: refuses every write at once with a DiskFullError (the caller promised nothing: it writes
 * before it sends), checks the free space every `probeMs` and, when at least `minFreeBytes` are free
 * again, reopens the database (which replays its log: everything written before is there) and lets
 * writes through.
 */
export interface DiskGuardOptions {
  /** the data directory: whose file system is watched */
  dir: string
  /** free bytes needed before writes resume (LevelDB needs room for a memtable flush and a compaction) */
  minFreeBytes: number
  /** how often, real ms, a full journal looks for space again */
  probeMs: number
  /** closes and opens the database again (clears LevelDB's sticky background error) */
  reopen(): Promise<void>
  /** told when the disk fills (full: true, with what failed) and when the journal writes again */
  onChange?(full: boolean, detail: string): void
}

/** Is this error, or one of its causes, a full disk (or an exceeded quota)? */
export function isDiskFull (err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e != null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DiskFullError) return true
    const code = (e as { code?: unknown }).code
    if (code === 'ENOSPC' || code === 'EDQUOT') return true
    if (/no space left on device|ENOSPC|disk quota exceeded/i.test(String((e as Error).message ?? ''))) return true
  }
  return false
}

/** Free bytes for an unprivileged writer on the file system of `dir`. */
export async function freeBytes (dir: string): Promise<number> {
  const s = await statfs(dir)
  return Number(s.bavail) * Number(s.bsize)
}

export class DiskGuard {
  readonly #o: DiskGuardOptions
  #full = false
  #detail = ''
  #timer: NodeJS.Timeout | undefined
  #probing: Promise<boolean> | undefined
  #closed = false

  constructor (options: DiskGuardOptions) { this.#o = options }

  /** true from a write that found the disk full until the journal was reopened with space to spare */
  get full (): boolean { return this.#full }

  /** A write failed: a DiskFullError to throw if it was the disk, else undefined. */
  failed (err: unknown, point: string): DiskFullError | undefined {
    if (!isDiskFull(err)) return undefined
    const detail = `journal write failed (${point}): the disk of ${this.#o.dir} is full: ${(err as Error).message}`
    if (!this.#full) {
      this.#full = true
      this.#detail = detail
      this.#o.onChange?.(true, detail)
      if (!this.#closed) { this.#timer = setInterval(() => { void this.probe() }, this.#o.probeMs); this.#timer.unref() }
    }
    return new DiskFullError(`${detail}. New work is refused until space returns; nothing committed is lost`, { cause: err })
  }

  /** Before a write: throws DiskFullError while the disk is full (and space has not come back). */
  async check (point: string): Promise<void> {
    if (!this.#full) return
    if (await this.probe()) return
    throw new DiskFullError(`journal write refused (${point}): ${this.#detail}. New work is refused until space returns; nothing committed is lost`)
  }

  /** Looks for space; with enough, reopens the journal. Resolves true when it writes again. One at a time. */
  async probe (): Promise<boolean> {
    if (!this.#full) return true
    this.#probing ??= (async () => {
      try {
        const free = await freeBytes(this.#o.dir)
        if (free < this.#o.minFreeBytes || this.#closed) return false
        await this.#o.reopen()
        this.#full = false
        clearInterval(this.#timer)
        this.#o.onChange?.(false, `${free} bytes free on the disk of ${this.#o.dir}: the journal was reopened and writes again`)
        return true
      } catch {
        return false
      } finally {
        this.#probing = undefined
      }
    })()
    return await this.#probing
  }

  close (): void { this.#closed = true; clearInterval(this.#timer) }
}
