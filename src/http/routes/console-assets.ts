import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The admin console's files, read and gzipped once at start: the compiled browser modules
 * (`dist/console`), the static files (`console/static`) and preact, preact/hooks and htm from
 * node_modules (no CDN). Every asset lives under one version (a hash of all of them), so its URL
 * can be cached forever (`immutable`); `index.html` names the current version.
 */
export interface ConsoleAsset {
  body: Buffer;
  gzip: Buffer;
  contentType: string;
}

export interface ConsoleAssets {
  version: string;
  /** Keyed by the path below `/admin/assets/{version}/`. */
  files: Map<string, ConsoleAsset>;
  index: ConsoleAsset;
}

export const CONSOLE_PREFIX = '/admin';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

/** The bare module specifiers the console imports, and the vendor file each one is. */
const VENDOR: Record<string, { module: string; file: string }> = {
  preact: { module: 'preact', file: 'vendor/preact.js' },
  'preact/hooks': { module: 'preact/hooks', file: 'vendor/preact-hooks.js' },
  htm: { module: 'htm', file: 'vendor/htm.js' },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const asset = (body: Buffer, path: string): ConsoleAsset => ({ body, gzip: gzipSync(body, { level: 9 }), contentType: TYPES[extname(path)] ?? 'application/octet-stream' });

/** `from "preact"` → `from "/admin/assets/{v}/vendor/preact.js"` (browsers resolve no bare names; an import map would need inline script). */
function resolveImports(source: string, base: string): string {
  return source
    .replace(/\/\/# sourceMappingURL=\S+\s*$/, '')
    .replace(/(\bfrom\s*|\bimport\s*)(["'])(preact\/hooks|preact|htm)\2/g, (_all, keyword: string, quote: string, name: string) => `${keyword}${quote}${base}/${VENDOR[name].file}${quote}`);
}

let loaded: ConsoleAssets | undefined;

/** The assets, read once per process; undefined when the console was not built. */
export function consoleAssets(): ConsoleAssets | undefined {
  if (!loaded && existsSync(join(root, 'dist', 'console', 'main.js'))) loaded = loadConsoleAssets();
  return loaded;
}

function loadConsoleAssets(): ConsoleAssets {
  const require = createRequire(import.meta.url);
  const sources = new Map<string, string>();
  const compiled = join(root, 'dist', 'console');
  for (const file of walk(compiled).filter((f) => f.endsWith('.js'))) sources.set(relative(compiled, file).split(sep).join('/'), readFileSync(file, 'utf8'));
  for (const { module, file } of Object.values(VENDOR)) sources.set(file, readFileSync(require.resolve(module).replace(/\.js$/, '.module.js').replace(/\.mjs$/, '.module.js'), 'utf8'));
  const staticDir = join(root, 'console', 'static');
  const statics = new Map(walk(staticDir).map((f) => [relative(staticDir, f).split(sep).join('/'), readFileSync(f)]));
  const template = statics.get('index.html')?.toString('utf8');
  statics.delete('index.html');
  if (!template || !sources.has('main.js')) throw new Error('admin console not built: run npm run build');

  const hash = createHash('sha256');
  for (const [path, text] of [...sources, ...statics].sort(([a], [b]) => a.localeCompare(b))) hash.update(path).update('\0').update(text);
  const version = hash.digest('hex').slice(0, 16);
  const base = `${CONSOLE_PREFIX}/assets/${version}`;

  const files = new Map<string, ConsoleAsset>();
  for (const [path, text] of sources) files.set(path, asset(Buffer.from(resolveImports(text, base)), path));
  for (const [path, body] of statics) files.set(path, asset(body, path));
  // Every module preloaded from the page: fetched in parallel instead of one import level at a time.
  const preloads = [...sources.keys()].sort().map((path) => `<link rel="modulepreload" href="${base}/${path}" />`).join('\n    ');
  return { version, files, index: asset(Buffer.from(template.replaceAll('{{preloads}}', preloads).replaceAll('{{assets}}', base)), 'index.html') };
}
