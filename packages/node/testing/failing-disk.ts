import { join } from 'node:path'
import { Level } from 'level'
import type { JournalOptions } from '../src/journal.ts'

/** How a failing disk's write fails: strerror text as LevelDB quotes it */
const failures = {
  EIO: 'Input/output error',
  ENOSPC: 'No space left on device'
} as const

/**
 * A TEST DOUBLE OF A FAILING DISK under a real LevelDB (classic-level, in a real directory). Its
 * `database` goes in a journal's options (`JournalOptions.database`); every write that reaches the
 * database (`batch`, `put`, `del`, a sublevel's too) goes to the disk as usual until `fail()`, and from
 * then on throws what classic-level throws when the disk fails under it — code `LEVEL_IO_ERROR`,
 * message `IO error: <dir>/000003.log: Input/output error` (EIO; or `No space left on device`) — without
 * writing anything, until `heal()`. No kernel here can make a real disk return EIO on demand (no
 * device-mapper error target, no fault injection); reads are never failed.
 */
export class FailingDisk {
  #failing: keyof typeof failures | undefined
  /** writes that reached the database, and those the double failed */
  writes = 0
  failed = 0
  /** the database the journal opened (to close it from under the journal, as a crashed driver would) */
  db: Level<string, any> | undefined
  #waiting: Array<() => void> = []

  /** From now on every write fails with `kind` (EIO by default). */
  fail(kind: keyof typeof failures = 'EIO'): void {
    this.#failing = kind
  }
  /** Writes reach the disk again. */
  heal(): void {
    this.#failing = undefined
  }
  get failing(): boolean {
    return this.#failing != null
  }
  /** Resolves at the next write the double fails. */
  async nextFailure(): Promise<void> {
    await new Promise<void>(resolve => this.#waiting.push(resolve))
  }

  /** for `JournalOptions.database` */
  readonly database: NonNullable<JournalOptions['database']> = (dir, options) => {
    const db = new Level<string, any>(dir, options as any)
    const guarded = db as unknown as Record<'_batch' | '_put' | '_del', (...args: unknown[]) => Promise<unknown>>
    for (const method of ['_batch', '_put', '_del'] as const) {
      const real = guarded[method].bind(db)
      guarded[method] = async (...args) => {
        this.writes++
        if (this.#failing != null) {
          this.failed++
          for (const w of this.#waiting.splice(0)) w()
          throw Object.assign(new Error(`IO error: ${join(dir, '000003.log')}: ${failures[this.#failing]}`), { code: 'LEVEL_IO_ERROR' })
        }
        return await real(...args)
      }
    }
    this.db = db
    return db
  }
}
