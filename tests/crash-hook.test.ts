import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as node from '@kvartal/node'
import { runKvartal, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'

/**
 * The crash-test hook (KVARTAL_CRASH_AT) kills only a process started through a test entry point
 * (tests/helpers/kvartal-crash.ts, which installs it through `@kvartal/node/testing`): `kvartal node`
 * run with the variable set trades on. processes.test.ts and mobility-crash.test.ts use the hook.
 */

let dir: string
let procs: NodeProcess[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-hook-'))
})
afterEach(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  procs = []
  await rm(dir, { recursive: true, force: true })
})

const committed = (role: string) => (l: Record<string, any>) => l.event === 'trade-committed' && l.detail === role

describe('the crash-test hook', () => {
  it("no production source reads KVARTAL_CRASH_AT, and the package's public door does not install the hook", async () => {
    const root = new URL('..', import.meta.url).pathname
    const found = await promisify(execFile)(
      'grep',
      ['-rln', 'KVARTAL_CRASH_AT', 'packages', 'devices', 'sim', '--include=*.ts', '--exclude-dir=test', '--exclude-dir=node_modules'],
      { cwd: root }
    ).then(
      r => r.stdout,
      () => ''
    )
    expect(found).toBe('')
    expect(Object.keys(node)).not.toContain('installCrashAt')
    expect(Object.keys(node)).not.toContain('setCrashHook')
  })

  it('`kvartal node` with KVARTAL_CRASH_AT set passes the point and trades on (processes.test.ts: the test entry point dies there)', {
    timeout: 120_000
  }, async () => {
    const sellerConfig = await writeNodeConfig({ dir, name: 'seller', position: [600], slotSeconds: 6 })
    const seller = runKvartal(['node', '--config', sellerConfig], { KVARTAL_CRASH_AT: 'seller-hold' })
    procs.push(seller)
    const addr = (await seller.waitFor(l => l.event === 'listening')).addrs[0] as string
    const buyer = runKvartal([
      'node',
      '--config',
      await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], slotSeconds: 6 })
    ])
    procs.push(buyer)
    // the seller journaled a hold (seller-hold) and went on to commit the trade
    await seller.waitFor(committed('seller'), 60_000)
    expect([seller.proc.exitCode, seller.proc.signalCode]).toEqual([null, null])
    expect((await seller.stop()).code).toBe(0)
  })
})
