import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { describe, expect, it } from 'vitest'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Service } from 'kubernetes-models/v1/Service'
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import { execForm, last, parseContainerfile } from '../deploy/container/containerfile-lint.ts'
import { applyOverlay, splitPeers } from '../deploy/container/prepare.ts'
import { configText, validateNodeConfig } from '@kvartal/cli'

/**
 * deploy/k8s, rendered as `kubectl kustomize` renders it (its resources, in order) and checked against
 * the Kubernetes API schema that kubernetes-models bundles (types, required fields, enums), plus what
 * that schema lets through: a field it does not know (the validator never looks at it: caught by
 * recording what it reads). Then what makes it a Kvartal district: stable DNS names from the headless
 * service as peers, a volume per pod at the image's data directory, probes on the metrics port, a
 * non-root read-only container as the image's user, and ConfigMap overlays the node accepts.
 */

const root = join(import.meta.dirname, '..')
const k8s = join(root, 'deploy/k8s')
type Obj = Record<string, any>

const models = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy
} as unknown as Record<string, new (o: Obj) => { validate: () => void }>

/** The kustomization's resources, each file's documents in order: what `kubectl kustomize` renders. */
function render(dir: string): Obj[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Obj
  const known = ['apiVersion', 'kind', 'resources']
  for (const key of Object.keys(k))
    if (!known.includes(key)) throw new Error(`kustomization.yaml: ${key} is not rendered by this test: render it, or use resources only`)
  return (k.resources as string[])
    .flatMap(f =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map(d => {
        if (d.errors.length > 0) throw new Error(`${f}: ${d.errors[0].message}`)
        return d.toJS() as Obj
      })
    )
    .filter(o => o != null)
}

/** Each object path's keys that the schema validator read: a key it never read is one it does not know. */
function recordReads(value: unknown, path: string, reads: Map<string, Set<string>>): unknown {
  if (typeof value !== 'object' || value == null) return value
  const seen = reads.get(path) ?? new Set<string>()
  reads.set(path, seen)
  return new Proxy(value as Obj, {
    get(t, key, r) {
      const v = Reflect.get(t, key, r)
      if (typeof key !== 'string' || !Object.hasOwn(t, key)) return v
      seen.add(key)
      return recordReads(v, `${path}/${key}`, reads)
    }
  })
}

function unknownFields(value: unknown, path: string, reads: Map<string, Set<string>>, out: string[]): string[] {
  if (typeof value !== 'object' || value == null) return out
  for (const [k, v] of Object.entries(value)) {
    if (!(reads.get(path)?.has(k) ?? false)) out.push(`${path}/${k}`)
    else unknownFields(v, `${path}/${k}`, reads, out)
  }
  return out
}

/** The schema's errors for one object, [] when valid: types and required fields, and fields it does not know. */
function schemaErrors(o: Obj): string[] {
  const Model = models[`${o.apiVersion}/${o.kind}`]
  if (Model == null) return [`${o.apiVersion} ${o.kind}: not a kind this test knows`]
  const m = new Model(o)
  const reads = new Map<string, Set<string>>()
  try {
    m.validate.call(recordReads(m, '', reads))
  } catch (err) {
    return [(err as Error).message]
  }
  return unknownFields(JSON.parse(JSON.stringify(m)), '', reads, []).map(p => `${p}: unknown field`)
}

const objects = render(k8s)
const byKind = (kind: string): Obj[] => objects.filter(o => o.kind === kind)
const sts = byKind('StatefulSet')[0]
const svc = byKind('Service')[0]
const cm = byKind('ConfigMap')[0]
const pod = sts.spec.template.spec
const node = pod.containers[0]
const image = parseContainerfile(readFileSync(join(root, 'deploy/container/Containerfile'), 'utf8'))
const envOf = (name: string): string => node.env.find((e: Obj) => e.name === name)?.value

describe('deploy/k8s', () => {
  it('renders a ConfigMap, a headless Service, a StatefulSet, a PodDisruptionBudget and a NetworkPolicy', () => {
    expect(objects.map(o => o.kind)).toEqual(['ConfigMap', 'Service', 'StatefulSet', 'PodDisruptionBudget', 'NetworkPolicy'])
  })

  it('every object is valid against the Kubernetes schema, with no field the schema does not know', () => {
    for (const o of objects) expect(schemaErrors(o), `${o.kind} ${o.metadata.name}`).toEqual([])
  })

  it('the schema check fails on a string where an integer belongs, a missing required field, an unknown field', () => {
    const broken = (f: (o: Obj) => void): string[] => {
      const o = structuredClone(sts)
      f(o)
      return schemaErrors(o)
    }
    expect(
      broken(o => {
        o.spec.template.spec.containers[0].ports[0].containerPort = '4101'
      }).join()
    ).toMatch(/containerPort must be integer/)
    expect(
      broken(o => {
        o.spec.replicas = 'four'
      }).join()
    ).toMatch(/replicas must be integer/)
    expect(
      broken(o => {
        delete o.spec.template.spec.containers[0].name
      }).join()
    ).toMatch(/containers\/0 must have required property name/)
    expect(
      broken(o => {
        o.spec.template.spec.containers[0].resources.request = { cpu: '50m' }
      })
    ).toEqual(['/spec/template/spec/containers/0/resources/request: unknown field'])
    expect(
      broken(o => {
        o.spec.replica = 3
      })
    ).toEqual(['/spec/replica: unknown field'])
    expect(
      broken(o => {
        o.metadata.labelz = {}
      })
    ).toEqual(['/metadata/labelz: unknown field'])
    // maps of free keys are not unknown fields
    expect(
      broken(o => {
        o.metadata.labels['example.com/anything'] = 'x'
      })
    ).toEqual([])
  })

  it("a headless service publishing not-ready pods gives the StatefulSet's pods the DNS names the peers list", () => {
    expect(svc.spec.clusterIP).toBe('None')
    expect(svc.spec.publishNotReadyAddresses).toBe(true)
    expect(sts.spec.serviceName).toBe(svc.metadata.name)
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels)
    expect(sts.spec.template.metadata.labels).toMatchObject(sts.spec.selector.matchLabels)
    const peers = splitPeers(envOf('KVARTAL_PEERS'))
    expect(peers.length).toBeGreaterThanOrEqual(2)
    peers.forEach((p, i) => {
      const [host, service, ns, ...rest] = p.split('.')
      expect(host).toBe(`${sts.metadata.name}-${i}`)
      expect(i).toBeLessThan(sts.spec.replicas)
      expect(service).toBe(svc.metadata.name)
      expect(ns).toBe('$(POD_NAMESPACE)')
      expect(rest).toEqual(['svc', 'cluster', 'local'])
    })
    // $(POD_NAMESPACE) is expanded only from a variable defined before it
    const names = node.env.map((e: Obj) => e.name)
    expect(names.indexOf('POD_NAMESPACE')).toBeLessThan(names.indexOf('KVARTAL_PEERS'))
    expect(node.env[names.indexOf('POD_NAMESPACE')].valueFrom.fieldRef.fieldPath).toBe('metadata.namespace')
  })

  it('ports, probes and volume match the image: libp2p and metrics ports, /health and /ready, the data directory', () => {
    const exposed = last(image, 'EXPOSE')!.args.split(/\s+/).sort()
    expect(node.ports.map((p: Obj) => `${p.containerPort}/${p.protocol.toLowerCase()}`).sort()).toEqual(exposed)
    expect(svc.spec.ports.map((p: Obj) => `${p.port}/${p.protocol.toLowerCase()}`).sort()).toEqual(exposed)
    const metrics = node.ports.find((p: Obj) => p.name === 'metrics')
    expect(String(parse(cm.data['district.yaml']).metrics.listen)).toBe(`0.0.0.0:${metrics.containerPort}`)
    expect(node.livenessProbe.httpGet).toEqual({ path: '/health', port: 'metrics' })
    expect(node.startupProbe.httpGet).toEqual({ path: '/health', port: 'metrics' })
    expect(node.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'metrics' })
    const dataDir = execForm(last(image, 'VOLUME')!.args)![0]
    const claim = sts.spec.volumeClaimTemplates[0]
    expect(node.volumeMounts.find((m: Obj) => m.mountPath === dataDir).name).toBe(claim.metadata.name)
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce'])
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' })
  })

  it("runs as the image's non-root user, read-only, no capabilities; writable: its volume and /tmp only", () => {
    const [uid, gid] = last(image, 'USER')!.args.split(':').map(Number)
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid })
    expect(node.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] }
    })
    const writable = node.volumeMounts
      .filter((m: Obj) => m.readOnly !== true)
      .map((m: Obj) => m.mountPath)
      .sort()
    expect(writable).toEqual(['/tmp', '/var/lib/kvartal'])
    expect(pod.automountServiceAccountToken).toBe(false)
  })

  it("resources sized from the measured node: the request covers an idle node's RSS, the limit leaves room for V8's heap cap", () => {
    const mib = (q: string): number => {
      const m = /^(\d+)(Mi|Gi)$/.exec(q)!
      return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1)
    }
    const MEASURED_RSS_MIB = 172 / 1.048576 // 172 MB: `kvartal node`, alone, after start (README "Deploying a district")
    expect(mib(node.resources.requests.memory)).toBeGreaterThan(MEASURED_RSS_MIB)
    const heap = Number(/--max-old-space-size=(\d+)/.exec(envOf('NODE_OPTIONS'))![1])
    expect(mib(node.resources.limits.memory)).toBeGreaterThanOrEqual(MEASURED_RSS_MIB - 51 / 1.048576 + heap) // 51 MB of it was heap
    expect(node.resources.requests.cpu).toBe('50m')
  })

  it("the PodDisruptionBudget and the NetworkPolicy select the district's pods", () => {
    const pdb = byKind('PodDisruptionBudget')[0]
    expect(pdb.spec.selector.matchLabels).toEqual(sts.spec.selector.matchLabels)
    expect(pdb.spec.maxUnavailable).toBe(1)
    const np = byKind('NetworkPolicy')[0]
    expect(sts.spec.template.metadata.labels).toMatchObject(np.spec.podSelector.matchLabels)
    const ports = np.spec.ingress.flatMap((r: Obj) => r.ports.map((p: Obj) => p.port))
    for (const p of node.ports) expect(ports).toContain(p.containerPort)
  })

  it("the ConfigMap's district.yaml and each pod's overlay, over what kvartal init writes, make configs the node accepts", () => {
    expect(
      pod.volumes.find((v: Obj) => v.name === node.volumeMounts.find((m: Obj) => m.mountPath === '/etc/kvartal').name).configMap.name
    ).toBe(cm.metadata.name)
    const district = parse(cm.data['district.yaml'])
    expect(envOf('KVARTAL_DISTRICT')).toBe(district.district)
    const pods = Object.keys(cm.data).filter(k => k !== 'district.yaml')
    expect(pods).toEqual(Array.from({ length: sts.spec.replicas }, (_, i) => `${sts.metadata.name}-${i}.yaml`))
    for (const k of pods) {
      let text = configText({ district: envOf('KVARTAL_DISTRICT'), listen: ['/ip4/0.0.0.0/tcp/4101'], meter: 'none' })
      text = applyOverlay(text, district, 'district.yaml')
      text = applyOverlay(text, parse(cm.data[k]), k)
      expect(validateNodeConfig(parse(text), '/var/lib/kvartal'), k).toMatchObject({
        mdns: false,
        district: district.district,
        metrics: { host: '0.0.0.0', port: 9464 }
      })
    }
  })

  it('kubectl kustomize renders the same objects, where kubectl is installed', () => {
    const r = spawnSync('kubectl', ['kustomize', k8s], { encoding: 'utf8' })
    if (r.error != null) {
      console.warn('deploy-k8s.test.ts: kubectl is not installed: rendered by this test only')
      return
    }
    expect(r.status, r.stderr).toBe(0)
    const key = (o: Obj): string => `${o.kind}/${o.metadata.name}`
    const theirs = parseAllDocuments(r.stdout).map(d => d.toJS() as Obj)
    expect(theirs.map(key).sort()).toEqual(objects.map(key).sort())
    for (const o of theirs) expect(o, key(o)).toEqual(objects.find(x => key(x) === key(o)))
  })
})
