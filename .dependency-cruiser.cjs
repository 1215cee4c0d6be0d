// The import rules `npm run lint` checks (scripts/check-deps.ts runs dependency-cruiser with them, then checks
// that every package declares what it imports). README "Lint and format" says how to fix each.

/** a workspace package's folder: packages/<name>, devices, sim */
const pkg = '(packages/[^/]+|devices|sim)'
/** a package's own tests and test support: test/, testing/, tests/ (the root's), helpers and fixtures */
const testCode = '(^|/)(test|tests|testing|helpers|fixtures)/|\\.test\\.ts$'

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle (type-only imports count too): move what both sides need into a module of its own',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to no file',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true }
    },
    {
      name: 'no-production-to-tests',
      comment: "production code (src/, bin/) imports nothing of a test, a test helper or a package's testing/ entry",
      severity: 'error',
      from: { path: `^${pkg}/(src|bin)/` },
      to: { path: testCode }
    },
    {
      name: 'no-reaching-into-other-packages',
      comment:
        'a package imports another only through its name (@kvartal/<name>, and @kvartal/<name>/testing from tests), ' +
        'never by a relative path into its folder',
      severity: 'error',
      from: { path: `^${pkg}/` },
      to: { path: `^${pkg}/`, pathNot: '^$1/', dependencyTypes: ['local'], dependencyTypesNot: ['aliased-workspace'] }
    },
    {
      name: 'no-root-reaching-into-packages',
      comment: 'tests/, bench/, scripts/ and deploy/ import a package through its name (@kvartal/<name>), never by a relative path',
      severity: 'error',
      from: { pathNot: `^${pkg}/` },
      to: { path: `^${pkg}/`, dependencyTypesNot: ['aliased-workspace'] }
    },
    {
      name: 'no-other-packages-tests',
      comment: "another package's test/ folder is its own: share a helper through that package's testing/ entry instead",
      severity: 'error',
      from: { path: '^(packages/[^/]+|[^/]+)/' },
      to: { path: `^${pkg}/test/`, pathNot: '^$1/' }
    },
    {
      name: 'market-is-pure',
      comment: 'market is pure logic: no node: built-ins, no npm packages (libp2p, level, …), only @kvartal/protocol',
      severity: 'error',
      from: { path: '^packages/market/src/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-no-pkg', 'npm-unknown', 'npm-optional', 'npm-peer'] }
    },
    {
      name: 'protocol-imports-nothing-of-ours',
      comment: 'protocol is the contracts leaf (docs: ../shared/DESIGN.md)',
      severity: 'error',
      from: { path: '^packages/protocol/src/' },
      to: { path: `^${pkg}/`, pathNot: '^packages/protocol/' }
    },
    {
      name: 'peers-import-only-protocol',
      comment: 'mesh, market, settlement and mobility import protocol and never each other',
      severity: 'error',
      from: { path: '^packages/(mesh|market|settlement|mobility)/src/' },
      to: { path: `^${pkg}/`, pathNot: '^packages/($1|protocol)/' }
    },
    {
      name: 'nothing-imports-sim-or-cli',
      comment: 'sim and cli plug devices into nodes; no other package imports them',
      severity: 'error',
      from: { path: `^${pkg}/src/`, pathNot: '^(sim|packages/cli)/' },
      to: { path: '^(sim|packages/cli)/' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json']
    }
  }
}
