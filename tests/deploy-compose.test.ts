import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { execForm, last, parseContainerfile } from '../deploy/container/containerfile-lint.ts'
import { applyOverlay, splitPeers } from '../deploy/container/prepare.ts'
import { configText, validateNodeConfig } from '@kvartal/cli'

/**
 * deploy/compose/compose.yaml, parsed (merge keys resolved, as compose does) and checked: four nodes of
 * one image, a volume each at the image's data directory, the image's healthcheck and a restart
 * policy, peers that are services of the file, and overlays that make, over what `kvartal init` writes,
 * configs the node accepts. `docker compose config` / `podman-compose config` check it too where they
 * are installed with that command (here: the docker CLI has no compose plugin, podman-compose 1.0.3 no
 * `config`). tests/deploy-image.test.ts starts two of its services with podman-compose (opt-in).
 */

const root = join(import.meta.dirname, '..')
const dir = join(root, 'deploy/compose')
const compose = parse(await readFile(join(dir, 'compose.yaml'), 'utf8'), { merge: true }) as Record<string, any>
const image = parseContainerfile(await readFile(join(root, 'deploy/container/Containerfile'), 'utf8'))
const services = Object.entries(compose.services as Record<string, any>)
const volumeOf = (s: any): string => (s.volumes as string[]).find(v => v.endsWith(':/var/lib/kvartal'))!.split(':')[0]

describe('compose.yaml', () => {
  it("four nodes of one image, each with its own named volume at the image's data directory", () => {
    expect(services.map(([n]) => n)).toEqual(['node-1', 'node-2', 'node-3', 'node-4'])
    const dataDir = execForm(last(image, 'VOLUME')!.args)![0]
    const volumes = services.map(([, s]) => volumeOf(s))
    expect(new Set(volumes).size).toBe(4)
    for (const [name, s] of services) {
      expect(s.image, name).toBe('localhost/kvartal:0.1.0')
      expect(s.hostname, name).toBe(name)
      expect(
        s.volumes.filter((v: string) => v.endsWith(`:${dataDir}`)),
        name
      ).toHaveLength(1)
      expect(Object.keys(compose.volumes)).toContain(volumeOf(s))
    }
  })

  it("restart policy, the image's healthcheck, read-only root, no capabilities", () => {
    const hc = execForm(/CMD\s+(.*)$/.exec(last(image, 'HEALTHCHECK')!.args)![1])!
    for (const [name, s] of services) {
      expect(s.restart, name).toBe('unless-stopped')
      expect(s.healthcheck.test, name).toEqual(['CMD', ...hc])
      expect(s.healthcheck.retries, name).toBeGreaterThan(0)
      expect(s.read_only, name).toBe(true)
      expect(s.cap_drop, name).toEqual(['ALL'])
    }
  })

  it('the peers are services of this file; the seed starts first, the others once it is healthy', () => {
    const names = services.map(([n]) => n)
    for (const [name, s] of services) {
      const peers = splitPeers(s.environment.KVARTAL_PEERS)
      expect(peers.length, name).toBeGreaterThan(1)
      for (const p of peers) expect(names, `${name}: KVARTAL_PEERS names ${p}`).toContain(p)
      expect(s.environment.KVARTAL_SELF, name).toBe(name)
      if (name === peers[0]) expect(s.depends_on, name).toBeUndefined()
      else expect(s.depends_on, name).toEqual({ [peers[0]]: { condition: 'service_healthy' } })
    }
  })

  it("the metrics ports (district.yaml's, exposed by the image) are published on loopback only, one host port each", async () => {
    const container = String(parse(await readFile(join(dir, 'district.yaml'), 'utf8')).metrics.listen).split(':')[1]
    expect(last(image, 'EXPOSE')!.args.split(/\s+/)).toContain(`${container}/tcp`)
    const host = services.map(([, s]) => (s.ports as string[]).map(p => p.split(':')))
    for (const ports of host)
      for (const [ip, , c] of ports) {
        expect(ip).toBe('127.0.0.1')
        expect(c).toBe(container)
      }
    expect(new Set(host.flat().map(p => p[1])).size).toBe(4)
  })

  it('district.yaml and each node-N.yaml, over what kvartal init writes, make a config the node accepts', async () => {
    const district = parse(await readFile(join(dir, 'district.yaml'), 'utf8'))
    const positions: number[] = []
    for (const [name, s] of services) {
      expect(s.volumes, name).toContain('./district.yaml:/etc/kvartal/district.yaml:ro')
      expect(s.volumes, name).toContain(`./${name}.yaml:/etc/kvartal/${name}.yaml:ro`)
      expect(s.environment.KVARTAL_DISTRICT, name).toBe(district.district)
      let text = configText({ district: s.environment.KVARTAL_DISTRICT, listen: ['/ip4/0.0.0.0/tcp/4101'], meter: 'none' })
      text = applyOverlay(text, district, 'district.yaml')
      text = applyOverlay(text, parse(await readFile(join(dir, `${name}.yaml`), 'utf8')), `${name}.yaml`)
      const c = validateNodeConfig(parse(text), '/var/lib/kvartal')
      expect(c).toMatchObject({
        mdns: false,
        metrics: { host: '0.0.0.0', port: 9464 },
        dataDir: '/var/lib/kvartal/data',
        listen: ['/ip4/0.0.0.0/tcp/4101']
      })
      positions.push(...c.position!)
    }
    // a district that can trade: sellers and buyers
    expect(positions.some(p => p > 0) && positions.some(p => p < 0)).toBe(true)
  })

  it('docker compose / podman-compose accept it, where installed', ctx => {
    // with a `config` command: podman-compose 1.0.3 (Debian 12) has none (tests/deploy-image.test.ts runs it `up`)
    const tools = [['docker', 'compose'], ['podman-compose']].filter(([cmd, sub]) =>
      sub != null ? spawnSync(cmd, [sub, 'version']).status === 0 : spawnSync(cmd, ['config', '--help']).status === 0
    )
    // skipped, not passed: nothing is checked here without one of them (the parser's checks above still run)
    if (tools.length === 0) {
      ctx.skip('no `docker compose` or podman-compose with a `config` command: compose.yaml is checked by the parser above only')
      return
    }
    for (const t of tools) {
      const r = spawnSync(t[0], [...t.slice(1), '-f', join(dir, 'compose.yaml'), 'config', '-q'])
      expect(r.status, `${t.join(' ')} config: ${r.stderr.toString()}`).toBe(0)
    }
  })
})
