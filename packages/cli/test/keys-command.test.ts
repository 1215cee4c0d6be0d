import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConfigError, toHex } from '@kvartal/protocol'
import { Journal } from '@kvartal/node'
import { identityFromSeed } from '@kvartal/mesh'
import { decodeIotaPrivateKey } from '@iota/iota-sdk/cryptography'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { configText, initCommand } from '../src/init-command.ts'
import { AlreadyExistsError, NodeRunningError, RotationRefusedError, keysExport, keysRotate } from '../src/keys-command.ts'

let dir: string
let config: string
let dataDir: string
let out: string[]
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-keys-'))
  out = []
  vi.spyOn(process.stdout, 'write').mockImplementation(s => {
    out.push(String(s))
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  await initCommand({ dir, district: 'demo' })
  config = join(dir, 'node.yaml')
  dataDir = join(dir, 'data')
  out = []
})
afterEach(async () => {
  vi.restoreAllMocks()
  await rm(dir, { recursive: true, force: true })
})

async function withJournal<T>(f: (j: Journal) => Promise<T>): Promise<T> {
  const j = await Journal.open(dataDir)
  try {
    return await f(j)
  } finally {
    await j.close()
  }
}
const seedHex = async (): Promise<string> => toHex((await withJournal(async j => await j.loadSeed()))!)

describe('kvartal keys export', () => {
  it(
    'writes the key 0600 in kvartal-key/1, its iotaPrivateKey what ' + 'IOTA tools read; refuses to replace a file or print to a terminal',
    async () => {
      const file = join(dir, 'backup.key')
      await keysExport({ config, out: file })
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      const doc = JSON.parse(await readFile(file, 'utf8'))
      const seed = await seedHex()
      const id = await identityFromSeed(Buffer.from(seed, 'hex'))
      expect(doc).toMatchObject({
        format: 'kvartal-key/1',
        type: 'ed25519',
        seed,
        peerId: id.peerId.toString(),
        trader: id.id,
        iotaAddress: id.iotaAddress
      })
      // the IOTA SDK decodes it to the same key and the same address
      const decoded = decodeIotaPrivateKey(doc.iotaPrivateKey)
      expect(decoded.schema).toBe('ED25519')
      expect(toHex(decoded.secretKey)).toBe(seed)
      expect(Ed25519Keypair.fromSecretKey(decoded.secretKey).toIotaAddress()).toBe(id.iotaAddress)

      await writeFile(file, 'mine')
      await expect(keysExport({ config, out: file })).rejects.toThrow(AlreadyExistsError)
      expect(await readFile(file, 'utf8')).toBe('mine')
      await keysExport({ config, out: file, force: true })
      expect(JSON.parse(await readFile(file, 'utf8')).seed).toBe(seed)

      const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY')
      Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true })
      try {
        await expect(keysExport({ config })).rejects.toThrow(ConfigError)
        expect(out.join('')).not.toContain(seed)
      } finally {
        if (tty != null) Object.defineProperty(process.stdout, 'isTTY', tty)
        else delete (process.stdout as { isTTY?: boolean }).isTTY
      }
    }
  )
})

describe('kvartal keys rotate', () => {
  it('refuses while the old key has work left (an unsettled period, an open hold, mobility records) and changes nothing', async () => {
    const seed = await seedHex()
    const refused = async (why: RegExp): Promise<void> => {
      const err = await keysRotate({ config }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RotationRefusedError)
      expect((err as Error).message).toMatch(why)
      expect(await seedHex()).toBe(seed)
      expect(await readdir(dataDir)).not.toContain('keys')
    }
    // the last meter reading closes period demo/0 (slots 0–95), which is not settled
    await withJournal(async j => {
      await j.putReading(95, '00')
    })
    await refused(/period demo\/0 \(slots 0–95/)
    await withJournal(async j => {
      await j.putPeriod('demo/0', {}, [])
    })
    // a reading in the middle of period 1
    await withJournal(async j => {
      await j.putReading(96, '00')
    })
    await refused(/period demo\/1 \(slots 96–191/)
    await withJournal(async j => {
      await j.putReading(191, '00')
      await j.putPeriod('demo/1', {}, [])
    })
    await withJournal(async j => {
      await j.putHold({ negotiation: 'n1', slot: 200, energyWh: 100, price: 1, holdUntil: 0, counterparty: 'aa', tradeId: 'bb' })
    })
    await refused(/1 hold\(s\)/)
    await withJournal(async j => {
      await j.releaseHold('n1', 'test')
    })
    await withJournal(async j => {
      await j.putRecord('channels', 'trips', { id: 'cc', status: 'open' }, 'channel-open')
    })
    await refused(/mobility record/)
  })

  it('with every period settled: a new key, the old one kept 0600, and what it means said', async () => {
    const seed = await seedHex()
    await withJournal(async j => {
      await j.putReading(95, '00')
      await j.putPeriod('demo/0', {}, [])
    })
    await keysRotate({ config })
    const now = await seedHex()
    expect(now).not.toBe(seed)
    const kept = await readdir(join(dataDir, 'keys'))
    expect(kept).toEqual([expect.stringMatching(/^previous-\d{8}T\d{6}Z\.key$/)])
    const file = join(dataDir, 'keys', kept[0])
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(file, 'utf8')).seed).toBe(seed)
    const [a, b] = [await identityFromSeed(Buffer.from(seed, 'hex')), await identityFromSeed(Buffer.from(now, 'hex'))]
    const said = out.join('')
    for (const s of [a.peerId.toString(), b.peerId.toString(), a.iotaAddress, b.iotaAddress, 'bootstrap', 'kvartal verify'])
      expect(said).toContain(s)
  })

  it('refuses while the journal is locked (a node starting, before its control socket is up)', async () => {
    const seed = await seedHex()
    await withJournal(async () => {
      const err = await keysRotate({ config }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(NodeRunningError)
      expect((err as Error).message).toMatch(/\(its journal is locked\): stop it before rotating its key/)
    })
    expect(await seedHex()).toBe(seed)
  })

  it('needs the config (its periods), and a key to rotate', async () => {
    await expect(keysRotate({})).rejects.toThrow(/^--config: /)
    await writeFile(
      join(dir, 'empty.yaml'),
      configText({ district: 'demo', listen: ['/ip4/127.0.0.1/tcp/0'], meter: 'none' }).replace('dataDir: data', 'dataDir: nothing-here')
    )
    await expect(keysRotate({ config: join(dir, 'empty.yaml') })).rejects.toThrow(/no node key in/)
  })
})
