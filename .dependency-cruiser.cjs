// The layering of DESIGN.md ("Shape: gather -> decide -> act -> report") and STYLE.md
// ("Dependencies point one way"), checked by `npm run lint` (depcruise src). Top to bottom:
//
//   cli, agent, web     the three entry points; cli may start agent and web, nothing else
//                       runs sideways between them
//   src/*.ts assembly   gather-facts, gc-sources, facts-file, facts-paste: the one way to
//                       gather, shared by cli and agent (engine + host -> HostFacts, and the
//                       GC planner's inputs); agent-view: what web/ may ask of the agent,
//                       which agent/ implements. They may use everything below
//   doctor, gc, plan    pure logic: core and the shared data, and only types from engine
//                       and host (time, clients and files are passed in)
//   src/*.ts data       facts.ts (HostFacts), facts-version.ts, finding.ts (Finding and the
//                       stable ids): the data the layers hand each other; facts.ts is made of
//                       the engine's and the host's schemas and may import them
//   engine, host, store the I/O: the Engine API, local files and commands, SQLite. host may
//                       import engine (the image store on disk is found from `docker info`
//                       and read by the engine's chain ids), never the other way; store may
//                       import the shared data it keeps (finding.ts; facts.ts as a type)
//   core                errors, durations, sizes, thresholds, versions; what `docker info`
//                       says and how to read it (its schema, driver names, the image store's
//                       kind, Docker or Podman); the formats dockerd is configured in
//                       (systemd units and words, env files, dockerd's flags): pure, shared
//                       by every layer, and imports nothing of ours
//
// Tests (*.test.ts) and testing/ helpers may reach across layers to build what they need;
// product code may not import them. sandbox/, test/ and bench/ are outside the product: they
// may import it, it may not import them (sandbox/ is cruised only for that), except that
// `dockwarden demo` runs on the sandbox (DESIGN.md), through cli/demo-run.ts alone. No cycles
// in the product.
//
// The ~37 imports that broke these rules when they were written down were fixed by moving the
// shared pieces down (sizes, docker info's readers and dockerd's config formats into core/,
// finding.ts next to facts.ts, the agent's view out of web/), not by exceptions: there is no
// list of known violations, and none may be added.

const TESTS = '(\\.test\\.ts$|/testing/)';
const DATA = '^src/(facts|facts-version|finding)\\.ts$';
/** `dockwarden demo`'s run, which starts a sandbox: the product's one way into sandbox/. */
const DEMO = 'demo-run\\.ts$';
const ASSEMBLY = '^src/(gather-facts|gc-sources|facts-file|facts-paste|agent-view)\\.ts$';

/** A rule that `from` (outside tests) may import nothing of ours but `allowed`. */
function onlyImports(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from, pathNot: TESTS },
    to: { path: '^src/', pathNot: `(${allowed.join('|')})` },
  };
}

/** A rule that `from` may import only types (`import type`) from `to`. */
function typesOnly(name, comment, from, to) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from, pathNot: TESTS },
    to: { path: to, dependencyTypesNot: ['type-only'] },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one; split out what both need.',
      severity: 'error',
      from: { pathNot: '^src/sandbox/' },
      to: { circular: true },
    },
    onlyImports('core-imports-nothing', 'core/ is the bottom: it imports nothing of ours.', '^src/core/', ['^src/core/']),
    onlyImports('engine-imports-core', 'engine/ imports only core/.', '^src/engine/', ['^src/core/', '^src/engine/']),
    onlyImports('host-imports-core-engine', 'host/ imports core/ and engine/ (where the image store lives and how layers are named come from the engine).', '^src/host/', [
      '^src/core/',
      '^src/engine/',
      '^src/host/',
    ]),
    onlyImports('store-imports-core-data', 'store/ imports core/ and the shared data (findings with their ids and severities; facts as a type, next rule).', '^src/store/', [
      '^src/core/',
      '^src/store/',
      DATA,
    ]),
    typesOnly('store-facts-types-only', "store/ keeps samples of the facts: it needs their type, not the engine's and host's schemas that facts.ts loads.", '^src/store/', '^src/facts\\.ts$'),
    onlyImports('data-imports-below', 'The shared data (facts, finding) is built from the schemas of core, engine and host only.', DATA, ['^src/core/', '^src/engine/', '^src/host/', DATA]),
    onlyImports(
      'pure-imports-below',
      'doctor/, gc/ and plan/ are pure: core, the shared data and (types of) engine/ and host/; never store, the assembly, or the entry points.',
      '^src/(doctor|gc|plan)/',
      ['^src/core/', '^src/engine/', '^src/host/', DATA, '^src/$1/'],
    ),
    typesOnly('pure-engine-host-types-only', 'doctor/, gc/ and plan/ take what engine/ and host/ gathered as data: they import only its types.', '^src/(doctor|gc|plan)/', '^src/(engine|host)/'),
    onlyImports('assembly-imports-below', 'The assembly (gather-facts, gc-sources, facts-file, facts-paste, agent-view) is shared by cli, agent and web: it may not import them.', ASSEMBLY, [
      '^src/(core|engine|host|store|doctor|gc|plan)/',
      DATA,
      ASSEMBLY,
    ]),
    onlyImports('agent-not-sideways', 'agent/ may use everything below it, not cli/ or web/ (the view it implements for web/ is src/agent-view.ts).', '^src/agent/', [
      '^src/(core|engine|host|store|doctor|gc|plan|agent)/',
      DATA,
      ASSEMBLY,
    ]),
    onlyImports('web-not-sideways', 'web/ may use everything below it, not cli/ or agent/.', '^src/web/', ['^src/(core|engine|host|store|doctor|gc|plan|web)/', DATA, ASSEMBLY]),
    onlyImports('cli-imports-below', 'cli/ may use everything, agent/ and web/ included (to start them); nothing outside the product.', `^src/cli/(?!${DEMO})`, [
      '^src/(core|engine|host|store|doctor|gc|plan|agent|web|cli)/',
      DATA,
      ASSEMBLY,
    ]),
    onlyImports('demo-imports-below-and-sandbox', 'dockwarden demo (DESIGN.md) is the one command built on the sandbox: what cli/ may use, and sandbox/.', `^src/cli/${DEMO}`, [
      '^src/(core|engine|host|store|doctor|gc|plan|agent|web|cli|sandbox)/',
      DATA,
      ASSEMBLY,
    ]),
    {
      name: 'product-not-tests',
      comment: 'Product code does not import tests, testing/ helpers, the sandbox, test/ or bench/ (but for `dockwarden demo`, previous rule).',
      severity: 'error',
      from: { path: '^src/', pathNot: `(${TESTS}|^src/sandbox/|^src/cli/${DEMO})` },
      to: { path: `(${TESTS}|^src/sandbox/|^test/|^bench/)` },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // See `import type` as what it is, so typesOnly rules can tell it from a value import.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
