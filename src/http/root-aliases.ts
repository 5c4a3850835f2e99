import type { IncomingMessage } from 'node:http';

/**
 * FusionAuth serves its OAuth and discovery endpoints at the root (`/oauth2/token`,
 * `/oauth2/userinfo`, `/.well-known/openid-configuration`, `/.well-known/jwks.json`); Gatehouse
 * serves them per tenant under `/t/{tenant}`. The root paths are aliases of the tenant whose slug
 * is `default`: the URL is rewritten before routing, so every `/t/{tenant}/oauth2/…` endpoint
 * (including ones added later) answers at the root too, with the same handler, validation, error
 * format (RFC 6749 §5.2) and issuer, `{publicUrl}/t/default` — tokens verify the same whichever
 * path issued them. The discovery document at the root therefore names that issuer and the
 * `/t/default/…` endpoints.
 */
export const ROOT_ALIAS_TENANT = 'default';

const ALIASED = /^\/(?:oauth2\/|\.well-known\/(?:openid-configuration|jwks\.json)(?:[?#]|$))/;

/** The tenant path a root alias stands for; any other URL unchanged. */
export function rewriteRootAlias(url: string): string {
  return ALIASED.test(url) ? `/t/${ROOT_ALIAS_TENANT}${url}` : url;
}

/** Fastify's `rewriteUrl` option. */
export const rootAliasRewriteUrl = (request: IncomingMessage): string => rewriteRootAlias(request.url ?? '/');

const TENANT_PREFIX = '/t/{tenant}';

interface Operation {
  operationId?: string;
  description?: string;
  parameters?: { in?: string; name?: string }[];
  [key: string]: unknown;
}

type PathItem = Record<string, Operation | unknown>;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The alias of one operation: no `tenant` path parameter, its own operation id. */
function aliasOperation(operation: Operation, method: string, path: string, root: string): Operation {
  return {
    ...operation,
    summary: `${method.toUpperCase()} ${root}`,
    operationId: `root${(operation.operationId ?? '').replace(/^(\w)/, (c) => c.toUpperCase())}`,
    description: `${operation.description ? `${operation.description}\n\n` : ''}Alias of \`${path}\` for the \`${ROOT_ALIAS_TENANT}\` tenant (FusionAuth's path).`,
    parameters: (operation.parameters ?? []).filter((p) => !(p.in === 'path' && p.name === 'tenant')),
  };
}

/** `transformObject`: adds the root aliases of the `/t/{tenant}` paths that have one. */
export function documentRootAliases<T extends { paths?: Record<string, unknown> }>(document: T): T {
  const paths = { ...(document.paths ?? {}) } as Record<string, PathItem>;
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith(`${TENANT_PREFIX}/`)) continue;
    const root = path.slice(TENANT_PREFIX.length);
    if (rewriteRootAlias(root) === root || paths[root]) continue;
    paths[root] = Object.fromEntries(
      Object.entries(item).map(([key, value]) => [key, METHODS.has(key) ? aliasOperation(value as Operation, key, path, root) : value]),
    );
  }
  return { ...document, paths };
}
