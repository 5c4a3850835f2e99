import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatehouseConfig } from '../config/options.js';
import type { SessionCookie } from '../oauth/sso-session.js';
import type { Tenant } from '../store/records.js';

/** The SSO session cookie: its secret, only ever sent to the tenant's own paths. */
const SSO_COOKIE = 'gh_sso';

/** A cookie of the request (RFC 6265 §5.4 `Cookie` header), by name. */
export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export const ssoSecretOf = (request: FastifyRequest): string | undefined => cookieValue(request, SSO_COOKIE);

const attributes = (config: Readonly<GatehouseConfig>, tenant: Tenant): string =>
  `Path=/t/${tenant.slug}; HttpOnly; SameSite=Lax${config.publicUrl.startsWith('https:') ? '; Secure' : ''}`;

/**
 * Sets the session cookie: `HttpOnly` (no script reads it), `SameSite=Lax` (sent on top-level
 * navigations to `/authorize`, not on cross-site subrequests), `Secure` on https, the tenant's
 * path, and the session's lifetime. Fastify adds it to any other Set-Cookie of the reply.
 */
export function setSsoCookie(reply: FastifyReply, config: Readonly<GatehouseConfig>, tenant: Tenant, cookie: SessionCookie): void {
  reply.header('set-cookie', `${SSO_COOKIE}=${cookie.secret}; Max-Age=${cookie.maxAgeSeconds}; ${attributes(config, tenant)}`);
}

export function clearSsoCookie(reply: FastifyReply, config: Readonly<GatehouseConfig>, tenant: Tenant): void {
  reply.header('set-cookie', `${SSO_COOKIE}=; Max-Age=0; ${attributes(config, tenant)}`);
}
