// @ts-check
/**
 * Import rules for src/: folders are pipeline stages and imports point one way, from the edge
 * down to storage and helpers. A folder may import itself and any folder in a LOWER layer; an
 * import into the same or a higher layer (and so every cycle between folders) fails
 * `npm run deps`, which CI runs.
 */
const layers = [
  ['http', 'kickstart'], // the edges: HTTP routes and wire formats; kickstart documents
  ['oauth', 'admin'], // the token endpoint and browser flow; configuration CRUD
  ['login'], // the external-identity pipeline: resolve, verify, link, map, lambda, commit
  ['smart', 'idp', 'tokens', 'identity'], // SMART policy, upstream verification, token minting, user rules
  ['keys', 'lambda', 'events'], // tenant signing keys, the sandbox, the event log
  ['jwt'], // JWS, JWK sets, algorithms, remote JWKS, and the one verifyJwt
  ['store'], // databases, migrations, repositories
  ['lib', 'config', 'metrics'], // pure helpers, the options table, the metrics recorder (imports nothing of src/)
];

const folder = (name) => `^src/${name}/`;
const alternatives = (names) => `^src/(${names.join('|')})/`;

const layerRules = layers.flatMap((own, index) => {
  const above = layers.slice(0, index + 1).flat();
  return own.map((name) => ({
    name: `layer-${name}`,
    comment: `src/${name} may import only its own folder and the layers below it (${layers.slice(index + 1).flat().join(', ')}).`,
    severity: /** @type {const} */ ('error'),
    from: { path: folder(name) },
    to: { path: alternatives(above.filter((other) => other !== name)) },
  }));
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'No module may take part in an import cycle.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'root-is-composition-only',
      comment: 'Nothing under src/ imports the composition root (src/app.ts) or the CLI.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/(app|cli)\\.ts$' },
    },
    {
      name: 'fastify-only-in-http',
      comment: 'Only the HTTP edge (and the composition root) imports Fastify.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(http/|app\\.ts$|cli\\.ts$)' },
      to: { path: '^node_modules/(fastify|@fastify/)' },
    },
    {
      name: 'src-not-from-tests',
      comment: 'Production code never imports test helpers.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json'] },
  },
};
