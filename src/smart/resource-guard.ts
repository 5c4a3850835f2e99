/**
 * The resource guard for FHIR services behind Gatehouse (`gatehouse/guard`): verifies a bearer
 * access token against the issuer's JWKS (cached, re-read once on an unknown `kid`) and applies
 * the Koppeltaal enforcement rules (FHIR RI `PermissionUtil`, resource-origin interceptors):
 *
 * - a scope is relevant when it names the resource type (or `*`) and carries the letter of the
 *   interaction: create `c`, read `r`, update `u`, delete `d`, search `s` (the reference server
 *   never checks `s`; Gatehouse does);
 * - create: any relevant scope (the new resource gets the caller's origin);
 * - search: any relevant scope; results are narrowed to the union of the scopes' origins unless
 *   one relevant scope is unrestricted;
 * - read, update, delete: the resource's origin must be allowed by a relevant scope (no
 *   `resource-origin` = any origin); a resource without origin is refused, except
 *   SearchParameter, Device and CodeSystem; domain administrators skip origin checks.
 */
import { systemClock } from '../lib/clock.js';
import type { Clock } from '../lib/clock.js';
import { ANY_ADDRESS } from '../lib/address-policy.js';
import { fetchJson } from '../lib/bounded-fetch.js';
import { isPlainObject } from '../lib/base64url.js';
import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import { RemoteJwksCache } from '../jwt/remote-jwks-cache.js';
import { verifyJwt } from '../jwt/verify-jwt.js';
import type { JwtFailureCode } from '../jwt/verify-jwt.js';
import { parseResourceScope } from './scope-grammar.js';
import type { ResourceScope, ScopeLetter } from './scope-grammar.js';

export type Interaction = 'create' | 'read' | 'update' | 'delete' | 'search';

export interface ResourceGuardOptions {
  /** Gatehouse tenant issuer (`{publicUrl}/t/{tenant}`); its JWKS is `{issuer}/.well-known/jwks.json`. */
  issuer?: string;
  /** Or: the smart-configuration URL, whose `issuer` and `jwks_uri` are used (TOP-KT-020). */
  smartConfigurationUrl?: string;
  /** Accepted `aud` value(s): the FHIR base URL, or `fhir-server`. */
  audience: string | string[];
  /** Leeway for `exp` and `nbf`; 60 s as the Koppeltaal FHIR server. */
  clockSkewSeconds?: number;
  /** Clients whose calls skip origin checks (Koppeltaal domain administrator). */
  domainAdminClientIds?: string[];
  fetch?: typeof fetch;
  fetchTimeoutMs?: number;
  /** Allow plain-http issuer URLs (development and tests). */
  allowHttp?: boolean;
  clock?: Clock;
}

export interface Principal {
  clientId: string;
  subject: string;
  /** `Device/<client id>`: the origin of what this client creates. */
  device: string;
  scope: string;
  scopes: ResourceScope[];
  claims: Record<string, unknown>;
}

export interface AuthorizationRequest {
  resourceType: string;
  interaction: Interaction;
  /** The stored resource's origin reference (`Device/<id>`), for read, update and delete. */
  resourceOrigin?: string;
}

export type AuthorizationDecision =
  | { allowed: true; /** Search only: restrict results to these origins; undefined = no restriction. */ searchOrigins?: string[] }
  | { allowed: false; reason: string };

export type GuardErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable';

/** RFC 6750 §3.1 errors, with the `WWW-Authenticate` challenge to send. */
export class GuardError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 503,
    readonly error: GuardErrorCode | undefined,
    readonly description: string,
  ) {
    super(description);
    this.name = 'GuardError';
  }

  get wwwAuthenticate(): string {
    return this.error && this.error !== 'temporarily_unavailable'
      ? `Bearer realm="fhir", error="${this.error}", error_description="${this.description.replace(/"/g, "'")}"`
      : 'Bearer realm="fhir"';
  }
}

const LETTER: Record<Interaction, ScopeLetter> = { create: 'c', read: 'r', update: 'u', delete: 'd', search: 's' };
const ORIGIN_FREE_TYPES = new Set(['SearchParameter', 'Device', 'CodeSystem']);
const DISCOVERY_TTL_MS = 3_600_000;

/** RFC 6750 §3.1 `invalid_token` descriptions for verifyJwt's failures. */
const INVALID_TOKEN: Record<JwtFailureCode, string> = {
  JWT_MALFORMED: 'The token is not a JWT.',
  JWS_ALG_NOT_ALLOWED: 'Unsupported token algorithm or missing kid.',
  JWS_KID_MISSING: 'Unsupported token algorithm or missing kid.',
  JWS_CRIT_UNSUPPORTED: 'Unsupported critical header.',
  JWT_TYP_INVALID: 'Unexpected token type.',
  JWS_JKU_NOT_ALLOWED: 'Unknown signing key.',
  JWKS_NO_MATCHING_KEY: 'Unknown signing key.',
  JWKS_MULTIPLE_MATCHING_KEYS: 'Unknown signing key.',
  JWS_KEY_ALG_MISMATCH: 'Unknown signing key.',
  JWKS_FETCH_FAILED: 'JWKS unavailable.',
  JWS_SIGNATURE_INVALID: 'Bad signature.',
  JWT_CLAIM_MISSING: 'The token is not valid.',
  JWT_CLAIM_INVALID: 'The token is not valid.',
  JWT_EXPIRED: 'The token has expired.',
  JWT_LIFETIME_TOO_LONG: 'The token is not valid.',
  JWT_NOT_YET_VALID: 'The token is not valid yet.',
  JWT_ISSUED_IN_FUTURE: 'The token is not valid yet.',
  JWT_ISSUER_INVALID: 'Wrong issuer.',
  JWT_AUDIENCE_INVALID: 'Wrong audience.',
  JWT_TOO_OLD: 'The token is not valid.',
};
/** Missing or mistyped time claims read as the time check they break. */
const INVALID_CLAIM: Record<string, string | undefined> = { exp: 'The token has expired.', nbf: 'The token is not valid yet.', iat: 'The token is not valid yet.' };

export interface ResourceGuard {
  /** Verifies the `Authorization` header; throws GuardError (401) when it does not carry a valid token. */
  authenticate(authorization: string | undefined): Promise<Principal>;
  authorize(principal: Principal, request: AuthorizationRequest): AuthorizationDecision;
  /** authenticate, then authorize; throws GuardError 403 when not permitted. */
  check(authorization: string | undefined, request: AuthorizationRequest): Promise<{ principal: Principal; decision: AuthorizationDecision & { allowed: true } }>;
}

export function createResourceGuard(options: ResourceGuardOptions): ResourceGuard {
  if (!options.issuer && !options.smartConfigurationUrl) throw new Error('createResourceGuard needs issuer or smartConfigurationUrl');
  const clock = options.clock ?? systemClock;
  const skew = options.clockSkewSeconds ?? 60;
  const audiences = Array.isArray(options.audience) ? options.audience : [options.audience];
  const admins = new Set(options.domainAdminClientIds ?? []);
  // The resource server's operator configures these URLs (its own Gatehouse, often on a private network).
  const fetchPolicy = { timeoutMs: options.fetchTimeoutMs ?? 3000, maxBytes: 262_144, allowHttp: options.allowHttp ?? false, addresses: ANY_ADDRESS, fetch: options.fetch };
  const jwks = new RemoteJwksCache({ fetchPolicy, clock, defaultTtlMs: 60_000, maxTtlMs: 3_600_000, refetchCooldownMs: 10_000, maxEntries: 4 });
  let discovered: { issuer: string; jwksUri: string; until: number } | undefined;

  const endpoints = async (): Promise<{ issuer: string; jwksUri: string }> => {
    if (options.issuer) return { issuer: options.issuer, jwksUri: `${options.issuer}/.well-known/jwks.json` };
    if (discovered && discovered.until > clock.now()) return discovered;
    try {
      const { body } = await fetchJson(options.smartConfigurationUrl!, fetchPolicy);
      if (!isPlainObject(body) || typeof body.issuer !== 'string' || typeof body.jwks_uri !== 'string') throw new Error('no issuer or jwks_uri');
      discovered = { issuer: body.issuer, jwksUri: body.jwks_uri, until: clock.now() + DISCOVERY_TTL_MS };
      return discovered;
    } catch (error) {
      throw new GuardError(503, 'temporarily_unavailable', `smart-configuration unavailable: ${(error as Error).message}`);
    }
  };

  const authenticate = async (authorization: string | undefined): Promise<Principal> => {
    if (!authorization) throw new GuardError(401, undefined, 'Bearer token required.');
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
    if (!match) throw new GuardError(401, 'invalid_request', 'Malformed Authorization header.');
    const { issuer, jwksUri } = await endpoints();
    const verified = await verifyJwt(match[1], {
      keys: { kind: 'remote-jwks', url: jwksUri, cache: jwks },
      algorithms: ASYMMETRIC_ALGORITHMS,
      // RFC 9068 §2.1 `at+jwt`, or `JWT` (a tenant's default, FusionAuth-compatible): both, so a tenant can switch.
      typ: ['JWT', 'at+jwt'],
      kid: 'required',
      clock,
      clockToleranceSeconds: skew,
      issuer,
      audience: audiences,
    });
    if (!verified.ok) {
      if (verified.code === 'JWKS_FETCH_FAILED') throw new GuardError(503, 'temporarily_unavailable', `JWKS unavailable: ${verified.fetchError}`);
      const claimProblem = verified.code === 'JWT_CLAIM_MISSING' || verified.code === 'JWT_CLAIM_INVALID';
      throw new GuardError(401, 'invalid_token', (claimProblem && INVALID_CLAIM[verified.claim ?? '']) || INVALID_TOKEN[verified.code]);
    }
    const invalid = (description: string) => new GuardError(401, 'invalid_token', description);
    const claims = verified.claims;
    const clientId = typeof claims.azp === 'string' ? claims.azp : typeof claims.client_id === 'string' ? claims.client_id : undefined;
    if (!clientId) throw invalid('The token names no client.');
    const scope = typeof claims.scope === 'string' ? claims.scope : '';
    return {
      clientId,
      subject: typeof claims.sub === 'string' ? claims.sub : clientId,
      device: `Device/${clientId}`,
      scope,
      scopes: scope.split(' ').map(parseResourceScope).filter((s): s is ResourceScope => s !== undefined && s.context === 'system'),
      claims,
    };
  };

  const authorize = (principal: Principal, request: AuthorizationRequest): AuthorizationDecision => {
    const letter = LETTER[request.interaction];
    const relevant = principal.scopes.filter((s) => (s.resourceType === '*' || s.resourceType === request.resourceType) && s.letters.has(letter));
    if (relevant.length === 0) return { allowed: false, reason: `no scope allows ${request.interaction} on ${request.resourceType}` };
    if (request.interaction === 'create') return { allowed: true };
    if (request.interaction === 'search') {
      if (admins.has(principal.clientId) || relevant.some((s) => !s.origins)) return { allowed: true };
      return { allowed: true, searchOrigins: [...new Set(relevant.flatMap((s) => s.origins!))] };
    }
    if (admins.has(principal.clientId)) return { allowed: true };
    if (!request.resourceOrigin) {
      return ORIGIN_FREE_TYPES.has(request.resourceType) ? { allowed: true } : { allowed: false, reason: 'the resource has no resource-origin' };
    }
    if (relevant.some((s) => !s.origins || s.origins.includes(request.resourceOrigin!))) return { allowed: true };
    return { allowed: false, reason: `origin ${request.resourceOrigin} is not allowed` };
  };

  return {
    authenticate,
    authorize,
    async check(authorization, request) {
      const principal = await authenticate(authorization);
      const decision = authorize(principal, request);
      if (!decision.allowed) throw new GuardError(403, 'insufficient_scope', decision.reason);
      return { principal, decision };
    },
  };
}
