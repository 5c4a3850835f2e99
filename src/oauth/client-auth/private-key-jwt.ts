import { ASYMMETRIC_ALGORITHMS } from '../../jwt/algorithms.js';
import { importJwkSet } from '../../jwt/jwk-set.js';
import type { ImportedJwk } from '../../jwt/jwk-set.js';
import { jwtFailure } from '../../jwt/jwt-failure.js';
import { verifyJwt } from '../../jwt/verify-jwt.js';
import type { JwtFailure, JwtPolicy, ResolvedKeySource, UnverifiedJwt } from '../../jwt/verify-jwt.js';
import type { Application } from '../../store/records.js';
import { issuerOf, tokenEndpointOf } from '../context.js';
import type { EndpointRequest, OAuthContext } from '../context.js';
import { invalidClient, invalidRequest } from '../errors.js';
import { findActiveClient } from '../clients.js';
import { CLIENT_ASSERTION_TYPE } from './authenticated-client.js';
import type { AuthenticatedClient } from './authenticated-client.js';

const MAX_JTI_LENGTH = 255;
const inlineJwksCache = new WeakMap<object, ImportedJwk[]>();

/**
 * `private_key_jwt` client authentication: RFC 7523 §3 and §2.2, RFC 7521 §4.2, and the stricter
 * rules of SMART Backend Services (client-confidential-asymmetric) and Koppeltaal TOP-KT-021,
 * checked by `verifyJwt` with this policy. Every failure is `invalid_client` (401); the exact
 * reason goes to the log only.
 */
export async function authenticateWithAssertion(ctx: OAuthContext, request: EndpointRequest): Promise<AuthenticatedClient> {
  const { params, tenant } = request;
  const fail = (detail: string) => invalidClient('Client authentication failed.', detail);

  // RFC 7521 §4.2: the assertion type names the assertion format.
  if (params.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
    throw invalidClient('Unsupported client_assertion_type.', `client_assertion_type ${params.get('client_assertion_type') ?? '(missing)'}`);
  }
  const assertion = params.get('client_assertion');
  if (!assertion) throw invalidRequest('client_assertion is missing.');

  let client: Application | undefined;
  const skew = ctx.config.clockSkewSeconds;
  const policy: JwtPolicy = {
    // Asymmetric algorithms only: `none` and HMAC (e.g. HS256 keyed with the public key) never pass.
    algorithms: ASYMMETRIC_ALGORITHMS,
    // SMART: `typ` is "JWT" when present; `kid` is required and selects the key (TOP-KT-021).
    typ: ['JWT'],
    kid: 'required',
    // SMART: `jku` is accepted only when it is the registered JWKS URL.
    jku: 'match-jwks-url',
    keys: {
      kind: 'resolve',
      resolve: async (token) => {
        const found = await clientKeys(ctx, request, token);
        if ('ok' in found) return found;
        client = found.application;
        return found.source;
      },
    },
    clock: ctx.clock,
    clockToleranceSeconds: skew,
    // RFC 7523 §3 item 3: `aud` identifies this authorization server (token endpoint or issuer).
    audience: [tokenEndpointOf(ctx.config, tenant), issuerOf(ctx.config, tenant)],
    // SMART: `exp` at most five minutes ahead (configurable, never more).
    maxLifetimeSeconds: ctx.config.clientAssertionMaxLifetimeSeconds,
    requiredClaims: ['jti'],
  };
  const verified = await verifyJwt(assertion, policy);
  if (!verified.ok) throw fail(`${verified.code}: ${verified.detail}`);
  const { jti, exp, sub } = verified.claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw fail('jti is not a string of 1 to 255 characters');

  // SMART: a jti is never accepted twice for the same client within its lifetime; the store is
  // the database, so this holds across restarts and nodes.
  const fresh = await ctx.store.replay.consume(`${tenant.id}:${String(sub)}`, jti, ((exp as number) + skew) * 1000, ctx.clock.now());
  if (!fresh) {
    ctx.metrics.jtiReplayed('client_assertion');
    throw fail('jti replayed');
  }
  return { application: client!, method: 'private_key_jwt' };
}

/**
 * The keys of the client the (still unverified) assertion names. RFC 7523 §3 items 1–2: `iss`
 * and `sub` are the client_id; the client must be active and registered for private_key_jwt.
 */
async function clientKeys(ctx: OAuthContext, request: EndpointRequest, token: UnverifiedJwt): Promise<{ application: Application; source: ResolvedKeySource } | JwtFailure> {
  const { iss, sub } = token.claims;
  if (typeof iss !== 'string' || typeof sub !== 'string' || iss === '') return jwtFailure('JWT_CLAIM_MISSING', 'iss or sub missing', { claim: 'sub' });
  if (iss !== sub) return jwtFailure('JWT_ISSUER_INVALID', 'iss differs from sub', { claim: 'iss' });
  // RFC 6749 Appendix A.1: a client id is VSCHAR; anything else names no client, so it never
  // reaches the store (PostgreSQL refuses NUL where SQLite would look it up).
  if (!/^[\x20-\x7e]{1,255}$/.test(sub)) return jwtFailure('JWT_CLAIM_INVALID', 'sub is not a client id', { claim: 'sub' });
  const bodyClientId = request.params.get('client_id');
  if (bodyClientId !== undefined && bodyClientId !== sub) return jwtFailure('JWT_CLAIM_INVALID', 'client_id differs from the assertion subject', { claim: 'sub' });

  const record = await findActiveClient(ctx, request.tenant.id, sub);
  if (!record) return jwtFailure('JWKS_NO_MATCHING_KEY', `unknown or inactive client ${sub}`);
  const application = record.application;
  const oauth = application.oauthConfiguration;
  if (oauth.clientAuthenticationMethod !== 'private_key_jwt') return jwtFailure('JWKS_NO_MATCHING_KEY', `client ${sub} is registered for ${oauth.clientAuthenticationMethod}`);
  if (oauth.jwks) {
    let keys = inlineJwksCache.get(oauth.jwks);
    if (!keys) {
      const imported = importJwkSet(oauth.jwks);
      keys = imported === 'NOT_A_JWKS' ? [] : imported;
      inlineJwksCache.set(oauth.jwks, keys);
    }
    return { application, source: { kind: 'jwk-set', keys, label: `the inline JWKS of client ${sub}` } };
  }
  if (!oauth.jwksUri) return jwtFailure('JWKS_NO_MATCHING_KEY', `client ${sub} has no JWKS`);
  return { application, source: { kind: 'remote-jwks', url: oauth.jwksUri, cache: ctx.remoteJwks } };
}
