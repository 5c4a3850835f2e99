import type { KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../store/records.js';
import { keyFitsAlgorithm } from './algorithms.js';
import { selectVerificationKey } from './jwk-set.js';
import type { ImportedJwk, KeySelection } from './jwk-set.js';
import { isJwtFailure, jwtFailure } from './jwt-failure.js';
import type { JwtFailure } from './jwt-failure.js';
import { JwksFetchError } from './remote-jwks-cache.js';
import type { RemoteJwksCache } from './remote-jwks-cache.js';

/** A token whose header has passed the header checks but whose signature is not verified yet. */
export interface UnverifiedJwt {
  header: Record<string, unknown>;
  /** Unverified: a resolver may use them to find the keys (e.g. `sub` names the client), never trust them. */
  claims: Record<string, unknown>;
  alg: SigningAlgorithm;
  /** The `kid` header when it is a non-empty string. */
  kid: string | undefined;
}

/**
 * Where the verification key comes from, as data:
 * - `key`: one key the caller chose; it must still fit `alg`;
 * - `jwk-set`: a static set, searched by `kid` and `alg`;
 * - `remote-jwks`: a JWKS URL through the shared cache, read once more on an unknown `kid`
 *   (at most once per the cache's cooldown, so key rotation works and bad `kid`s cannot make
 *   Gatehouse a request amplifier);
 * - `resolve`: a function of the unverified token that picks one of the above, or refuses.
 */
export type KeySource =
  | { kind: 'key'; key: KeyObject; label: string }
  | { kind: 'jwk-set'; keys: readonly ImportedJwk[]; label: string }
  | { kind: 'remote-jwks'; url: string; cache: RemoteJwksCache }
  | { kind: 'resolve'; resolve: (token: UnverifiedJwt) => Promise<ResolvedKeySource | JwtFailure> | ResolvedKeySource | JwtFailure };

export type ResolvedKeySource = Exclude<KeySource, { kind: 'resolve' }>;

export interface SelectedKey {
  key: KeyObject;
  /** Where the key came from, for logs and debug traces. */
  label: string;
}

/** The resolver's answer; resolvers may not nest. */
export async function resolveKeySource(source: KeySource, token: UnverifiedJwt): Promise<ResolvedKeySource | JwtFailure> {
  if (source.kind !== 'resolve') return source;
  const resolved = await source.resolve(token);
  if (isJwtFailure(resolved)) return resolved;
  if ((resolved as KeySource).kind === 'resolve') throw new Error('a key resolver must not return another resolver');
  return resolved;
}

/** Selects the one key that verifies `token` from a resolved source. */
export async function selectKey(source: ResolvedKeySource, token: UnverifiedJwt): Promise<SelectedKey | JwtFailure> {
  const { alg, kid } = token;
  if (source.kind === 'key') {
    if (!keyFitsAlgorithm(source.key, alg)) return jwtFailure('JWS_KEY_ALG_MISMATCH', `${source.label} does not fit ${alg}.`);
    return { key: source.key, label: source.label };
  }
  if (kid === undefined) return jwtFailure('JWS_KID_MISSING', 'The token has no kid to select a key of the key set with.');
  if (source.kind === 'jwk-set') return fromSelection(selectVerificationKey(source.keys, kid, alg), source.label, kid, alg);
  const label = `JWKS ${source.url}`;
  try {
    let selection = selectVerificationKey(await source.cache.get(source.url), kid, alg);
    if ('error' in selection && selection.error !== 'AMBIGUOUS_KEY') {
      // The issuer may have rotated its keys: read the JWKS again, at most once per cooldown.
      const refreshed = await source.cache.refreshForUnknownKid(source.url);
      if (refreshed) selection = selectVerificationKey(refreshed, kid, alg);
    }
    return fromSelection(selection, label, kid, alg);
  } catch (error) {
    if (error instanceof JwksFetchError) {
      return jwtFailure('JWKS_FETCH_FAILED', `${label} could not be read (${error.code}): ${error.message}`, { fetchError: error.code });
    }
    throw error;
  }
}

function fromSelection(selection: KeySelection, label: string, kid: string, alg: SigningAlgorithm): SelectedKey | JwtFailure {
  if ('key' in selection) return { key: selection.key, label: `${label}, kid ${kid}` };
  switch (selection.error) {
    case 'AMBIGUOUS_KEY':
      return jwtFailure('JWKS_MULTIPLE_MATCHING_KEYS', `More than one key of ${label} has kid ${kid} and fits ${alg}.`);
    case 'KEY_ALG_MISMATCH':
      return jwtFailure('JWS_KEY_ALG_MISMATCH', `The key of ${label} with kid ${kid} cannot verify ${alg}.`);
    default:
      return jwtFailure('JWKS_NO_MATCHING_KEY', `No key of ${label} has kid ${kid}.`);
  }
}
