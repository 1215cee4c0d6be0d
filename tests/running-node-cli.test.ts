import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, runKvartal, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'

/**
 * `kvartal id`, `verify` and `status` while `kvartal node` runs (its journal is locked: they must ask it
 * through its control API) and after it stopped (they read its data directory). Two real node processes
 * trade and settle a period on their local ledgers, so that there is a trade to prove.
 */

let dir: string
const procs: NodeProcess[] = []
let buyerConfig: string
let buyer: NodeProcess
let listening: Record<string, any>
let trade: string
/** what `kvartal verify` printed while the node ran: the same as from its data directory once stopped */
let provedOnline: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-running-'))
  const seller = runKvartal([
    'node',
    '--config',
    await writeNodeConfig({ dir, name: 'seller', position: [600], periodSlots: 2, slotSeconds: 6 })
  ])
  procs.push(seller)
  const addr = (await seller.waitFor(l => l.event === 'listening')).addrs[0] as string
  buyerConfig = await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], periodSlots: 2, slotSeconds: 6 })
  buyer = runKvartal(['node', '--config', buyerConfig])
  procs.push(buyer)
  listening = await buyer.waitFor(l => l.event === 'listening')
  const traded = await buyer.waitFor(l => l.event === 'trade-committed' && l.detail === 'buyer', 60_000)
  trade = traded.correlation
  // the period of the trade's slot (or the next, if its confirm was still pending when that one settled)
  await buyer.waitFor(l => l.event === 'period-settled' && !String(l.detail).startsWith('0 trades') && traded.slot < l.slot + 2, 90_000)
}, 200_000)

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await rm(dir, { recursive: true, force: true })
})

describe('id, verify and status against a running node, and a stopped one', () => {
  it('a running node answers them through its control API', { timeout: 60_000 }, async () => {
    const [id, verified, unknown, status, statusJson] = await Promise.all([
      runCli(['id', '--config', buyerConfig]),
      runCli(['verify', trade, '--config', buyerConfig]),
      runCli(['verify', 'ab'.repeat(32), '--config', buyerConfig]),
      runCli(['status', '--config', buyerConfig]),
      runCli(['status', '-d', join(dir, 'buyer'), '--json'])
    ])
    expect(id.code, id.stderr).toBe(0)
    expect(JSON.parse(id.stdout)).toEqual({
      peerId: listening.peerId,
      trader: listening.trader,
      iotaAddress: listening.iotaAddress,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      addrs: listening.addrs
    })
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/^ok\s+seller-signature/m)
    expect(verified.stdout).toMatch(/^ok\s+attested-root/m)
    expect(verified.stdout).toContain(`trade ${trade} verified against`)
    expect(verified.stdout).toMatch(/^ok\s+meter-chain/m)
    provedOnline = verified.stdout
    expect([unknown.code, unknown.stderr]).toEqual([2, `kvartal: trade-id: no trade ${'ab'.repeat(8)}… in this node's journal\n`])
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).toContain(`peer id     ${listening.peerId}`)
    expect(status.stdout).toMatch(/^peers\s+1$/m)
    expect(JSON.parse(statusJson.stdout)).toMatchObject({
      running: true,
      peerId: listening.peerId,
      settlement: 'local',
      addrs: listening.addrs
    })
  })

  it('a stopped node: they read its data directory', { timeout: 60_000 }, async () => {
    expect((await buyer.stop()).code).toBe(0)
    const id = await runCli(['id', '--config', buyerConfig])
    expect(JSON.parse(id.stdout)).toEqual({
      peerId: listening.peerId,
      trader: listening.trader,
      iotaAddress: listening.iotaAddress,
      listen: ['/ip4/127.0.0.1/tcp/0']
    })
    const verified = await runCli(['verify', trade, '--config', buyerConfig, '--json'])
    expect(verified.code, verified.stderr).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true })
    const text = await runCli(['verify', trade, '--config', buyerConfig])
    expect(text.stdout).toBe(provedOnline)
    const status = await runCli(['status', '--config', buyerConfig, '--json'])
    expect([status.code, JSON.parse(status.stdout)]).toEqual([
      0,
      { running: false, peerId: listening.peerId, trader: listening.trader, iotaAddress: listening.iotaAddress }
    ])
    // a directory where no node ever ran: nothing is created, the same line as before
    const none = await runCli(['status', '-d', join(dir, 'nobody')])
    expect([none.code, none.stderr]).toEqual([
      2,
      `kvartal: no control.json in ${join(dir, 'nobody')}: is \`kvartal node\` running there?\n`
    ])
  })

  it('a node killed with SIGKILL leaves a stale control.json and socket: the CLI ' +
    'says so (status reads the data directory), and the node restarts over them', { timeout: 60_000 }, async () => {
    const p = runKvartal(['node', '--config', buyerConfig])
    procs.push(p)
    await p.waitFor(l => l.event === 'listening')
    p.proc.kill('SIGKILL')
    await p.exited
    const data = join(dir, 'buyer')
    const { existsSync } = await import('node:fs')
    expect(existsSync(join(data, 'control.json')) && existsSync(join(data, 'control.sock'))).toBe(true)
    const list = await runCli(['journey', 'list', '-d', data])
    expect([list.code, list.stderr]).toEqual([
      2,
      `kvartal: nothing answers at ${join(data, 'control.sock')}: is \`kvartal ` +
        `node\` running there? (control.json is stale if the node was killed)\n`
    ])
    const status = await runCli(['status', '-d', data, '--json'])
    expect([status.code, JSON.parse(status.stdout).running]).toEqual([0, false])
    const again = runKvartal(['node', '--config', buyerConfig])
    procs.push(again)
    await again.waitFor(l => l.event === 'listening')
    const live = await runCli(['status', '-d', data, '--json'])
    expect([live.code, JSON.parse(live.stdout).running]).toEqual([0, true])
  })
})
