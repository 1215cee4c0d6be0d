import { statfs } from 'node:fs/promises'
import { DiskFullError, JournalError, JournalWriteError } from '@kvartal/protocol'

/**
 * What a failed journal write does to the journal, and how it comes back (docs/faults.md).
 *
 * Whatever made it fail — a full disk (ENOSPC, EDQUOT), an I/O error of a dying SD card (EIO), a
 * database closed under the node — LevelDB may have left a torn record at the end of its log, and
 * writes appended behind it are dropped on the next open (a full disk lost 4 of 6 committed trades that
 * way before this guard). Once a background write has failed (a memtable flushed to an .ldb file, a
 * compaction), LevelDB keeps that error and fails every later write until the database is closed and
 * opened again. So the guard, once a write failed:
 *   - refuses every later write at once, without touching LevelDB, with the typed error of the first
 *     failure: DiskFullError (code `disk-full`) or JournalWriteError (code `journal-write-failed`).
 *     The caller promised nothing: it writes before it sends;
 *   - every `probeMs` (and before a write, at most that often) tries to come back: after a full disk
 *     only once `minFreeBytes` are free again; it closes and opens the database (which replays its
 *     log: everything written before is there) and makes one small durable test write. When that
 *     succeeds, writes go through again.
 */
export interface JournalGuardOptions {
  /** the data directory: whose file system is watched */
  dir: string
  /** free bytes needed before writes resume after a full disk (LevelDB needs room for a memtable flush and a compaction) */
  minFreeBytes: number
  /** how often, real ms, a journal that refuses writes tries to write again */
  probeMs: number
  /** closes and opens the database again (clears LevelDB's sticky background error) */
  reopen(): Promise<void>
  /** one small durable write to the reopened database: the journal writes again only if it succeeds */
  testWrite(): Promise<void>
  /** told when the journal starts refusing writes (with what failed) and when it writes again */
  onChange?(refusing: boolean, detail: string, code: JournalRefusalCode): void
}

/** Why a journal refuses writes: its disk is full, or a write failed otherwise. */
export type JournalRefusalCode = 'disk-full' | 'journal-write-failed'

export interface JournalRefusal {
  readonly code: JournalRefusalCode
  /** what failed, at which write point */
  readonly detail: string
}

/** Is this error, or one of its causes, a full disk (or an exceeded quota)? */
export function isDiskFull(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e != null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DiskFullError) return true
    const code = (e as { code?: unknown }).code
    if (code === 'ENOSPC' || code === 'EDQUOT') return true
    if (/no space left on device|ENOSPC|disk quota exceeded/i.test(String((e as Error).message ?? ''))) return true
  }
  return false
}

/** Free bytes for an unprivileged writer on the file system of `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir)
  return Number(s.bavail) * Number(s.bsize)
}

const messageOf = (err: unknown): string => String((err as Error)?.message ?? err)

export class JournalGuard {
  readonly #o: JournalGuardOptions
  #refusing: JournalRefusal | undefined
  #timer: NodeJS.Timeout | undefined
  #probing: Promise<boolean> | undefined
  /** real time the last probe began: a write asks for one at most every probeMs */
  #probedAt = -Infinity
  #closed = false

  constructor(options: JournalGuardOptions) {
    this.#o = options
  }

  /** why writes are refused, from a failed write until the journal takes a test write again; else undefined */
  get refusing(): JournalRefusal | undefined {
    return this.#refusing
  }
  /** true while writes are refused for a full disk */
  get full(): boolean {
    return this.#refusing?.code === 'disk-full'
  }

  /** A write failed: the typed error to throw. The first failure makes the journal refuse writes until it comes back. */
  failed(err: unknown, point: string): JournalError {
    // a journal closed by its owner (the node stopping) is not a failure of the disk
    if (this.#closed) return new JournalError(`journal write failed (${point}): the journal is closed: ${messageOf(err)}`, { cause: err })
    if (this.#refusing == null) {
      const code: JournalRefusalCode = isDiskFull(err) ? 'disk-full' : 'journal-write-failed'
      const detail =
        code === 'disk-full'
          ? `journal write failed (${point}): the disk of ${this.#o.dir} is full: ${messageOf(err)}`
          : `journal write failed (${point}): ${messageOf(err)}`
      this.#refusing = { code, detail }
      this.#probedAt = performance.now()
      this.#o.onChange?.(true, detail, code)
      this.#timer = setInterval(() => {
        void this.probe()
      }, this.#o.probeMs)
      this.#timer.unref()
    }
    return this.#error(this.#refusing.detail, err)
  }

  /** Before a write: throws the refusal's typed error while the journal refuses writes (and a probe did not bring it back). */
  async check(point: string): Promise<void> {
    if (this.#refusing == null) return
    if (performance.now() - this.#probedAt >= this.#o.probeMs && (await this.probe())) return
    const r = this.#refusing
    if (r == null) return
    throw this.#error(`journal write refused (${point}): ${r.detail}`)
  }

  #error(detail: string, cause?: unknown): JournalError {
    const options = cause === undefined ? undefined : { cause }
    return this.#refusing?.code === 'disk-full'
      ? new DiskFullError(`${detail}. New work is refused until space returns; nothing committed is lost`, options)
      : new JournalWriteError(`${detail}. New work is refused until the journal writes again; nothing committed is lost`, options)
  }

  /** Tries to write again: reopens the journal and makes a test write. Resolves true when it writes again. One at a time. */
  async probe(): Promise<boolean> {
    if (this.#refusing == null) return true
    this.#probing ??= this.#attempt().finally(() => {
      this.#probing = undefined
    })
    return await this.#probing
  }

  async #attempt(): Promise<boolean> {
    this.#probedAt = performance.now()
    const r = this.#refusing
    if (r == null || this.#closed) return r == null
    try {
      let free: number | undefined
      if (r.code === 'disk-full') {
        free = await freeBytes(this.#o.dir)
        if (free < this.#o.minFreeBytes) return false
      }
      await this.#o.reopen()
      await this.#o.testWrite()
      if (this.#closed) return false
      this.#refusing = undefined
      clearInterval(this.#timer)
      this.#o.onChange?.(
        false,
        free != null
          ? `${free} bytes free on the disk of ${this.#o.dir}: the journal was reopened and writes again`
          : `the journal in ${this.#o.dir} was reopened and writes again`,
        r.code
      )
      return true
    } catch {
      return false
    }
  }

  close(): void {
    this.#closed = true
    clearInterval(this.#timer)
  }
}
