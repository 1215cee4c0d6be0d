import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Why the serial tests cannot run here, or undefined when they can: socat makes the pseudo-terminal
 * pair; it is installed with apt-get when absent (as root, from Debian's archive).
 */
export function socatMissing(): string | undefined {
  if (spawnSync('socat', ['-V']).status === 0) return undefined
  const apt = spawnSync('apt-get', ['install', '-y', '-q', 'socat'], { encoding: 'utf8' })
  if (spawnSync('socat', ['-V']).status === 0) return undefined
  return (
    `socat is not installed and apt-get could not install it ` +
    `(${(apt.stderr ?? String(apt.error)).trim().split('\n').pop()}): the serial tests need a pseudo-terminal pair`
  )
}

/** A pseudo-terminal pair: the test writes into `meter` what a meter would send; a driver opens `node`. */
export interface PtyPair {
  node: string
  meter: FileHandle
  close: () => Promise<void>
}

export async function ptyPair(): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'kvartal-pty-'))
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${join(dir, 'meter')}`, `pty,raw,echo=0,link=${join(dir, 'node')}`], {
    stdio: ['ignore', 'ignore', 'pipe']
  })
  // socat says when both ends exist
  await new Promise<void>((resolve, reject) => {
    let err = ''
    socat.stderr.on('data', (d: Buffer) => {
      err += d.toString()
      if (err.includes('starting data transfer loop')) resolve()
    })
    socat.once('exit', code => {
      reject(new Error(`socat exited (${code}): ${err}`))
    })
  })
  const meter = await open(join(dir, 'meter'), 'r+')
  return {
    node: join(dir, 'node'),
    meter,
    close: async () => {
      await meter.close()
      socat.kill()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
