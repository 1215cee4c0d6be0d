import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { identityFromSeed } from '@kvartal/mesh'
import { runKvartal, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'

let dir: string
let node: NodeProcess | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-joining-'))
})
afterEach(async () => {
  await node?.stop()
  node = undefined
  await rm(dir, { recursive: true, force: true })
})

describe('kvartal node stopped while it joins its mesh (a real process)', () => {
  it('SIGTERM before it trades: it stops cleanly and exits 0', async () => {
    // its one bootstrap peer never answers (nothing listens on the discard port): the node waits in joining
    const absent = await identityFromSeed(new Uint8Array(32).fill(9))
    const config = await writeNodeConfig({ dir, name: 'lonely', position: [300], bootstrap: [`/ip4/127.0.0.1/tcp/9/p2p/${absent.peerId}`] })
    node = runKvartal(['node', '--config', config])
    await node.waitFor(l => l.event === 'started')
    node.proc.kill('SIGTERM')
    // before, main()'s `await node.start()` never settled: Node exited 13 ("unsettled top-level await")
    expect(await node.exited).toEqual({ code: 0, signal: null })
    expect(node.lines.map(l => l.event)).toEqual(expect.arrayContaining(['shutdown', 'stopped']))
    expect(node.lines.map(l => l.event)).not.toContain('listening')
    expect(node.stderr.join('')).toBe('')
  })
})
