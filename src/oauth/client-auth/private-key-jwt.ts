import type { KeyObject } from 'node:crypto';
import { nowSeconds } from '../../lib/clock.js';
import { isSigningAlgorithm } from '../../jwt/algorithms.js';
import { importJwkSet, selectVerificationKey } from '../../jwt/jwk-set.js';
import type { ImportedJwk, KeySelection } from '../../jwt/jwk-set.js';
import { parseCompactJws, verifyJwsSignature } from '../../jwt/jws.js';
import { JwksFetchError } from '../../jwt/remote-jwks-cache.js';
import type { Application, SigningAlgorithm } from '../../store/records.js';
import { issuerOf, tokenEndpointOf } from '../context.js';
import type { EndpointRequest, OAuthContext } from '../context.js';
import { invalidClient, invalidRequest } from '../errors.js';
import { registeredClient } from '../clients.js';
import { CLIENT_ASSERTION_TYPE } from './authenticated-client.js';
import type { AuthenticatedClient } from './authenticated-client.js';

const MAX_JTI_LENGTH = 255;
const inlineJwksCache = new WeakMap<object, ImportedJwk[]>();

/**
 * `private_key_jwt` client authentication: RFC 7523 §3 and §2.2, RFC 7521 §4.2, and the stricter
 * rules of SMART Backend Services (client-confidential-asymmetric) and Koppeltaal TOP-KT-021.
 * Every failure is `invalid_client` (401); the exact reason goes to the log only.
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
  const jws = parseCompactJws(assertion);
  if (typeof jws === 'string') throw fail(`assertion is not a compact JWS (${jws})`);
  const { header, payload } = jws;

  // Asymmetric algorithms only: `none` and HMAC (e.g. HS256 keyed with the public key) never pass.
  const alg = header.alg;
  if (!isSigningAlgorithm(alg)) throw fail(`alg ${String(alg)} is not an allowed asymmetric algorithm`);
  // RFC 7515 §4.1.11: extensions we do not understand must be rejected.
  if (header.crit !== undefined) throw fail('crit header is not supported');
  // SMART: `typ` is "JWT" when present.
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) throw fail(`typ ${String(header.typ)}`);
  // SMART / TOP-KT-021: `kid` is required and selects the key.
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '') throw fail('kid header is missing');

  // RFC 7523 §3 items 1–2: iss and sub are the client_id.
  const { iss, sub } = payload;
  if (typeof iss !== 'string' || typeof sub !== 'string' || iss === '') throw fail('iss or sub missing');
  if (iss !== sub) throw fail('iss differs from sub');
  const bodyClientId = params.get('client_id');
  if (bodyClientId !== undefined && bodyClientId !== sub) throw fail('client_id differs from the assertion subject');

  const { application } = await registeredClient(ctx, tenant.id, sub, 'private_key_jwt');
  const oauth = application.oauthConfiguration;

  // SMART: `jku` is accepted only when it is the registered JWKS URL.
  if (header.jku !== undefined && (typeof header.jku !== 'string' || header.jku !== oauth.jwksUri)) throw fail('jku is not the registered JWKS URL');

  // Cheap claim checks before the signature; the jti is recorded only after it.
  const now = nowSeconds(ctx.clock);
  const skew = ctx.config.clockSkewSeconds;
  checkAudience(payload.aud, [tokenEndpointOf(ctx.config, tenant), issuerOf(ctx.config, tenant)], fail);
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw fail('exp missing');
  if (exp + skew <= now) throw fail('assertion expired');
  if (exp > now + ctx.config.clientAssertionMaxLifetimeSeconds + skew) throw fail('exp is more than the allowed lifetime ahead');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + skew)) throw fail('nbf in the future or not a number');
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || payload.iat > now + skew)) throw fail('iat in the future or not a number');
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw fail('jti missing or too long');

  const key = await verificationKey(ctx, application, kid, alg, fail);
  if (!verifyJwsSignature(jws, alg, key)) throw fail('bad signature');

  // SMART: a jti is never accepted twice for the same client within its lifetime; the store is
  // the database, so this holds across restarts and nodes.
  const fresh = await ctx.store.replay.consume(`${tenant.id}:${sub}`, jti, (exp + skew) * 1000, ctx.clock.now());
  if (!fresh) throw fail('jti replayed');
  return { application, method: 'private_key_jwt' };
}

/** RFC 7523 §3 item 3: `aud` must identify this authorization server. */
function checkAudience(aud: unknown, accepted: string[], fail: (detail: string) => Error): void {
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
  if (!values || values.length === 0 || !values.every((v) => typeof v === 'string')) throw fail('aud missing');
  if (!values.some((v) => accepted.includes(v as string))) throw fail(`aud ${JSON.stringify(aud)} is not this token endpoint`);
}

async function verificationKey(
  ctx: OAuthContext,
  application: Application,
  kid: string,
  alg: SigningAlgorithm,
  fail: (detail: string) => Error,
): Promise<KeyObject> {
  const oauth = application.oauthConfiguration;
  if (oauth.jwks) {
    let keys = inlineJwksCache.get(oauth.jwks);
    if (!keys) {
      const imported = importJwkSet(oauth.jwks);
      keys = imported === 'NOT_A_JWKS' ? [] : imported;
      inlineJwksCache.set(oauth.jwks, keys);
    }
    return keyOrFail(selectVerificationKey(keys, kid, alg), fail);
  }
  if (!oauth.jwksUri) throw fail('client has no JWKS');
  try {
    let selection = selectVerificationKey(await ctx.remoteJwks.get(oauth.jwksUri), kid, alg);
    if ('error' in selection && selection.error === 'NO_MATCHING_KEY') {
      // Unknown kid: the client may have rotated; read its JWKS again, at most once per cooldown.
      const refreshed = await ctx.remoteJwks.refreshForUnknownKid(oauth.jwksUri);
      if (refreshed) selection = selectVerificationKey(refreshed, kid, alg);
    }
    return keyOrFail(selection, fail);
  } catch (error) {
    if (error instanceof JwksFetchError) throw fail(`client JWKS unavailable: ${error.code} ${error.message}`);
    throw error;
  }
}

function keyOrFail(selection: KeySelection, fail: (detail: string) => Error): KeyObject {
  if ('error' in selection) throw fail(selection.error === 'AMBIGUOUS_KEY' ? 'more than one key matches kid and alg' : 'no key matches kid and alg');
  return selection.key;
}
