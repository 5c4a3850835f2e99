import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { SignJWT } from 'jose';
import { clientKey, jwks } from './client-keys.js';
import type { ClientKey } from './client-keys.js';

/** What the upstream provider saw of one token request. */
export interface UpstreamTokenRequest {
  form: Record<string, string>;
  authorization: string | undefined;
}

/**
 * A real OpenID provider over HTTP for the brokered authorization-code flow: `/authorize` logs
 * the next user in at once and redirects back with a code (or an error); `/token` checks the
 * code, redirect URI, PKCE verifier and client authentication like a strict provider would and
 * answers with an ES256 ID token carrying the request's nonce; `/jwks` publishes the key.
 */
export interface UpstreamOidcProvider {
  issuer: string;
  jwksUri: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  clientId: string;
  /** What `/userinfo` answers for the next calls: claims over the last ID token's `sub`, another `sub`, signed as `application/jwt`. */
  userinfo(how: { claims?: Record<string, unknown>; sub?: string; signed?: boolean } | undefined): void;
  /** The Authorization headers `/userinfo` was called with. */
  userinfoRequests: (string | undefined)[];
  /** The claims of the user who logs in next (merged over defaults). */
  nextUser(claims: Record<string, unknown>): void;
  /** The next authorization answers `error=<code>` instead of a code. */
  refuseNext(error: string): void;
  /** Changes what the token endpoint does: a status, or a wrong nonce in the ID token. */
  misbehave(how: { tokenStatus?: number; wrongNonce?: boolean } | undefined): void;
  /** Expected client secret; when set, requests without it are refused (401). */
  requireSecret(secret: string | undefined): void;
  tokenRequests: UpstreamTokenRequest[];
  /** The query of every authorization request the browser brought. */
  authorizationRequests: URLSearchParams[];
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });

export async function startUpstreamOidcProvider(clientId = 'gatehouse-at-upstream'): Promise<UpstreamOidcProvider> {
  const key: ClientKey = await clientKey('ES256');
  const codes = new Map<string, { redirectUri: string; nonce: string; challenge: string; claims: Record<string, unknown> }>();
  let next: Record<string, unknown> = {};
  let refusal: string | undefined;
  let behaviour: { tokenStatus?: number; wrongNonce?: boolean } | undefined;
  let secret: string | undefined;
  let userinfo: { claims?: Record<string, unknown>; sub?: string; signed?: boolean } | undefined;
  const userinfoRequests: (string | undefined)[] = [];
  let lastSub = '';
  const tokenRequests: UpstreamTokenRequest[] = [];
  const authorizationRequests: URLSearchParams[] = [];
  let base = '';

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', base);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/jwks') return json(200, jwks(key));
    if (url.pathname === '/userinfo') {
      userinfoRequests.push(request.headers.authorization);
      const claims = { sub: userinfo?.sub ?? lastSub, ...(userinfo?.claims ?? {}) };
      if (!userinfo?.signed) return json(200, claims);
      const now = Math.floor(Date.now() / 1000);
      void new SignJWT({ ...claims, iss: base + '/', aud: clientId, iat: now, exp: now + 300 })
        .setProtectedHeader({ alg: key.alg, kid: key.kid })
        .sign(key.privateKey)
        .then((jwt) => {
          response.writeHead(200, { 'content-type': 'application/jwt' });
          response.end(jwt);
        });
      return;
    }
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      authorizationRequests.push(new URLSearchParams(q));
      const redirect = new URL(q.get('redirect_uri') ?? '');
      if (q.get('response_type') !== 'code' || q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256' || !q.get('nonce')) {
        return json(400, { error: 'invalid_request' });
      }
      if (refusal) {
        redirect.searchParams.set('error', refusal);
        refusal = undefined;
      } else {
        const code = randomBytes(16).toString('base64url');
        codes.set(code, { redirectUri: q.get('redirect_uri')!, nonce: q.get('nonce')!, challenge: q.get('code_challenge')!, claims: next });
        redirect.searchParams.set('code', code);
      }
      redirect.searchParams.set('state', q.get('state') ?? '');
      response.writeHead(302, { location: redirect.toString() });
      response.end();
      return;
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      void readBody(request).then(async (body) => {
        const form = Object.fromEntries(new URLSearchParams(body));
        tokenRequests.push({ form, authorization: request.headers.authorization });
        if (behaviour?.tokenStatus) return json(behaviour.tokenStatus, { error: 'server_error' });
        if (secret !== undefined) {
          const basic = request.headers.authorization?.startsWith('Basic ')
            ? Buffer.from(request.headers.authorization.slice(6), 'base64').toString().split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' ')))
            : undefined;
          const ok = basic ? basic[0] === clientId && basic[1] === secret : form.client_id === clientId && form.client_secret === secret;
          if (!ok) return json(401, { error: 'invalid_client' });
        }
        const entry = codes.get(form.code ?? '');
        codes.delete(form.code ?? '');
        const verifierHash = createHash('sha256').update(form.code_verifier ?? '').digest('base64url');
        if (form.grant_type !== 'authorization_code' || !entry || entry.redirectUri !== form.redirect_uri || verifierHash !== entry.challenge) {
          return json(400, { error: 'invalid_grant' });
        }
        const now = Math.floor(Date.now() / 1000);
        lastSub = typeof entry.claims.sub === 'string' ? entry.claims.sub : randomBytes(8).toString('hex');
        const idToken = await new SignJWT({
          iss: base + '/',
          aud: clientId,
          sub: lastSub,
          iat: now,
          exp: now + 300,
          nonce: behaviour?.wrongNonce ? 'not-the-nonce' : entry.nonce,
          email: `upstream-${randomBytes(4).toString('hex')}@example.de`,
          email_verified: true,
          ...entry.claims,
        })
          .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
          .sign(key.privateKey);
        return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
      });
      return;
    }
    json(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    issuer: `${base}/`,
    jwksUri: `${base}/jwks`,
    authorizationEndpoint: `${base}/authorize`,
    tokenEndpoint: `${base}/token`,
    userinfoEndpoint: `${base}/userinfo`,
    clientId,
    userinfo(how) {
      userinfo = how;
    },
    userinfoRequests,
    nextUser(claims) {
      next = claims;
    },
    refuseNext(error) {
      refusal = error;
    },
    misbehave(how) {
      behaviour = how;
    },
    requireSecret(value) {
      secret = value;
    },
    tokenRequests,
    authorizationRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
