/**
 * `npm run lint`'s import check: dependency-cruiser with the rules of .dependency-cruiser.cjs (no cycles, no
 * production code importing tests, no package reaching into another's folder, market without I/O, …), then,
 * on the same module graph, that every package declares what it imports: each import of a package by name is
 * listed in the package.json nearest to the importing file — in `dependencies` for production code (src/, bin/),
 * in `dependencies` or `devDependencies` for the rest. The root (tests/, bench/, scripts/, deploy/) may import
 * the workspace packages without listing them: `workspaces` declares them. Exits 1 on any violation.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { cruise, format, type ICruiseResult, type IModule } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'

/** what is checked: every folder holding TypeScript or JavaScript, and the root's config files */
const roots = [
  'packages',
  'devices',
  'sim',
  'tests',
  'bench',
  'scripts',
  'deploy',
  'vitest.config.ts',
  'vitest.mutate.config.ts',
  'vitest.fuzz.config.ts'
]

interface Manifest {
  readonly dir: string
  readonly name: string
  readonly production: Set<string>
  readonly dev: Set<string>
  readonly workspaces: boolean
}

const manifests = new Map<string, Manifest | undefined>()
/** The package.json nearest to `dir`, going up. */
function manifestOf(dir: string): Manifest | undefined {
  if (manifests.has(dir)) return manifests.get(dir)
  const file = join(dir, 'package.json')
  let found: Manifest | undefined
  if (existsSync(file)) {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | string | undefined>
    const names = (...keys: string[]): Set<string> =>
      new Set(keys.flatMap(k => Object.keys((j[k] as Record<string, string> | undefined) ?? {})))
    found = {
      dir,
      name: String(j.name),
      production: names('dependencies', 'peerDependencies', 'optionalDependencies'),
      dev: names('devDependencies'),
      workspaces: j.workspaces != null
    }
  } else if (dir !== '.' && dir !== '/') found = manifestOf(dirname(dir))
  manifests.set(dir, found)
  return found
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name` */
const packageName = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

const workspaceNames = (modules: readonly IModule[]): Set<string> => {
  const names = new Set<string>()
  for (const m of modules) {
    if (m.source.includes('node_modules/')) continue
    const at = manifestOf(dirname(m.source))
    if (at != null && !at.workspaces) names.add(at.name)
  }
  return names
}

/** Every import of a package by name that the importer's package.json does not declare, as one line each. */
function undeclared(result: ICruiseResult): string[] {
  const out = new Set<string>()
  const workspaces = workspaceNames(result.modules)
  for (const m of result.modules) {
    if (m.source.includes('node_modules/') || m.coreModule === true) continue
    const manifest = manifestOf(dirname(m.source))
    if (manifest == null) continue
    const production = /^(src|bin)\//.test(m.source.slice(manifest.dir === '.' ? 0 : manifest.dir.length + 1))
    for (const d of m.dependencies) {
      if (d.module.startsWith('.') || d.coreModule || d.couldNotResolve) continue
      const name = packageName(d.module)
      if (name === manifest.name || (manifest.workspaces && workspaces.has(name))) continue
      const typesToo = d.dependencyTypes.includes('type-only') ? [`@types/${name.replace(/^@/, '').replace('/', '__')}`] : []
      const declared = (set: Set<string>): boolean => set.has(name) || typesToo.some(t => set.has(t))
      const file = join(manifest.dir, 'package.json')
      if (declared(manifest.production)) continue
      if (declared(manifest.dev)) {
        if (production)
          out.add(`${m.source} imports ${name}, which ${file} lists only in devDependencies (production code needs dependencies)`)
        continue
      }
      out.add(`${m.source} imports ${name}, which ${file} does not declare (add it with the root's version)`)
    }
  }
  return [...out].sort()
}

const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs')
const result = await cruise(roots, { ...options, outputType: 'json' }, {}, { tsConfig: extractTSConfig('tsconfig.json') })
const cruised = JSON.parse(String(result.output)) as ICruiseResult
const violations = cruised.summary.violations.length
if (violations > 0) process.stdout.write(String((await format(cruised, { outputType: 'err-long' })).output))
const missing = undeclared(cruised)
for (const line of missing) console.log(`  error undeclared-dependency: ${line}`)
const total = violations + missing.length
console.log(
  total === 0
    ? `imports: ${cruised.summary.totalCruised} modules, ${cruised.summary.totalDependenciesCruised} imports, no violation`
    : `imports: ${total} violations (${violations} of .dependency-cruiser.cjs, ${missing.length} undeclared)`
)
process.exitCode = total === 0 ? 0 : 1
