const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Why a value cannot be registered as a CORS origin (`oauthConfiguration.authorizedOriginURLs`),
 * or undefined. It must be an origin exactly as a browser serializes it in the `Origin` header
 * (RFC 6454 §6.1; Fetch "serialization of an origin"): `scheme://host[:port]`, lower-case host,
 * no default port, no path, query, fragment or user info, so that matching is plain string
 * equality. https, or http only on a loopback host (as for redirect URLs, RFC 8252 §7.3).
 */
export function originUrlProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 2000) return 'not an origin';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'an origin is https (or http on a loopback host)';
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.includes(url.hostname)) return 'http only on a loopback host (RFC 8252 §7.3)';
  if (url.origin !== raw) return `an origin is scheme://host[:port] without path or trailing slash, as browsers send it: ${url.origin}`;
  return undefined;
}
