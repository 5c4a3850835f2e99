import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { CONSOLE_PREFIX, consoleAssets } from './console-assets.js';
import type { ConsoleAsset } from './console-assets.js';

/**
 * The admin console at `/admin`: a static single-page app that talks only to `/api`. The page
 * runs no inline script and loads nothing from elsewhere (CSP Level 3 `default-src 'self'`), may
 * not be framed (`frame-ancestors 'none'`, against clickjacking), and every answer is
 * `nosniff` (Fetch §X-Content-Type-Options). Assets are gzipped once at start and served with
 * a versioned, immutable URL; the page itself is revalidated on every load.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

const Segment = Type.String({ minLength: 1, maxLength: 64 });
const body = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: 'string' } } } });
const pageSchema = {
  summary: 'The admin console (a single-page app that calls /api)',
  response: { 200: body('text/html', 'The console page.'), 503: body('text/plain', 'The console was not built (npm run build).') },
};
const assetSchema = (params: TSchema) => ({
  summary: 'A console asset (versioned URL, cached forever)',
  params,
  response: { 200: body('text/javascript', 'A module, style sheet or icon; gzipped when the client accepts it.'), 404: { type: 'null', description: 'No such file in this version.' } },
});
type AssetParams = { Params: { version: string; folder?: string; file: string } };

function send(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset, cacheControl: string) {
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  reply
    .header('content-type', asset.contentType)
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff')
    .header('vary', 'Accept-Encoding');
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? asset.gzip : asset.body);
}

/** `/admin/` is `/admin` (rewritten before routing, so the API description has one path for the page). */
export function rewriteConsoleSlash(url: string): string {
  return url === `${CONSOLE_PREFIX}/` || url.startsWith(`${CONSOLE_PREFIX}/?`) ? `${CONSOLE_PREFIX}${url.slice(CONSOLE_PREFIX.length + 1)}` : url;
}

export function registerConsoleRoutes(app: FastifyInstance): void {
  const assets = consoleAssets();
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!assets) return reply.status(503).type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send('The admin console is not built: run npm run build.');
    reply.header('content-security-policy', CONSOLE_CSP).header('x-frame-options', 'DENY').header('referrer-policy', 'no-referrer');
    return send(request, reply, assets.index, 'no-cache');
  };
  app.get(CONSOLE_PREFIX, { schema: pageSchema }, page);
  const asset = async (request: FastifyRequest<AssetParams>, reply: FastifyReply) => {
    const { version, folder, file } = request.params;
    const found = assets && version === assets.version ? assets.files.get(folder ? `${folder}/${file}` : file) : undefined;
    if (!found) return reply.status(404).header('x-content-type-options', 'nosniff').send();
    return send(request, reply, found, 'public, max-age=31536000, immutable');
  };
  app.get<AssetParams>(`${CONSOLE_PREFIX}/assets/:version/:file`, { schema: assetSchema(Type.Object({ version: Segment, file: Segment })) }, asset);
  app.get<AssetParams>(`${CONSOLE_PREFIX}/assets/:version/:folder/:file`, { schema: assetSchema(Type.Object({ version: Segment, folder: Segment, file: Segment })) }, asset);
}
