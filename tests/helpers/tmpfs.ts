import { execFileSync } from 'node:child_process'
import { mkdirSync, openSync, writeSync, closeSync, rmSync } from 'node:fs'
import { statfsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A small tmpfs for a test that needs a disk that fills up. Mounting needs root (or CAP_SYS_ADMIN);
 * where that is not allowed, `mountTmpfs` says why and the test skips.
 */
export function mountTmpfs(dir: string, sizeBytes: number): { ok: true } | { ok: false; why: string } {
  mkdirSync(dir, { recursive: true })
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' })
    return { ok: true }
  } catch (err) {
    return { ok: false, why: String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim() }
  }
}

/** Unmounts; a file still open (a test that failed half-way) makes it a lazy unmount, never a leak. */
export function unmountTmpfs(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' })
  } catch {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' })
    } catch {}
  }
}

export function freeBytesOf(dir: string): number {
  const s = statfsSync(dir)
  return Number(s.bavail) * Number(s.bsize)
}

/** Writes one file into `dir` until the file system has no space left; returns its path. */
export function fillDisk(dir: string): string {
  const path = join(dir, 'filler')
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(64 * 1024, 0xa5)
  try {
    for (;;) {
      try {
        writeSync(fd, chunk)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
        // the last partial chunk: a byte at a time is too slow; halve until nothing fits
        let n = chunk.length >> 1
        while (n > 0) {
          try {
            writeSync(fd, chunk.subarray(0, n))
          } catch {
            n >>= 1
          }
        }
        return path
      }
    }
  } finally {
    closeSync(fd)
  }
}

export function freeDisk(filler: string): void {
  rmSync(filler, { force: true })
}

/** Gives a mounted tmpfs a new size: space comes back without deleting anything. */
export function resizeTmpfs(dir: string, sizeBytes: number): void {
  execFileSync('mount', ['-o', `remount,size=${sizeBytes}`, dir], { stdio: 'pipe' })
}
