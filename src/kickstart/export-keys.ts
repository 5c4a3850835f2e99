import { createPublicKey } from 'node:crypto';
import type { JsonObject, StoredKey } from '../store/records.js';
import type { Store } from '../store/store.js';

const CURVE_ALGORITHMS: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * The Key Master's keys as `keys` entries of a kickstart file, never with private material:
 * - a public key or certificate (a provider's verification key) as its PEM, with its kid, so
 *   applying the file imports the same key;
 * - a key pair Gatehouse holds the private half of as a request to generate one with the same
 *   id, name and algorithm: applying the file makes a new pair (a new kid and public key);
 * - tenant signing keys (active or retired) not at all: a tenant created from the file gets a
 *   signing key of its own, as every new tenant does.
 */
export async function keyEntries(store: Store, keys: readonly StoredKey[]): Promise<JsonObject[]> {
  const entries: JsonObject[] = [];
  for (const key of keys) {
    if (await store.keys.isInUse(key.id)) continue;
    entries.push(key.hasPrivateKey ? generateEntry(key) : publicEntry(key));
  }
  return entries;
}

function publicEntry(key: StoredKey): JsonObject {
  return {
    id: key.id,
    name: key.name,
    kid: key.kid,
    ...(key.algorithm ? { algorithm: key.algorithm } : {}),
    ...(key.certificate ? { certificate: key.certificate } : { publicKey: key.publicKey }),
  };
}

function generateEntry(key: StoredKey): JsonObject {
  return {
    id: key.id,
    name: key.name,
    algorithm: key.algorithm ?? algorithmOf(key),
    ...(key.type === 'RSA' && key.length ? { length: key.length } : {}),
    ...(key.issuer ? { issuer: key.issuer } : {}),
  };
}

/** An algorithm for a key pair imported without one: what its key type and curve sign with. */
function algorithmOf(key: StoredKey): string {
  if (key.type === 'RSA') return 'RS256';
  if (key.type === 'OKP') return 'EdDSA';
  const curve = key.publicKey ? createPublicKey(key.publicKey).asymmetricKeyDetails?.namedCurve : undefined;
  return CURVE_ALGORITHMS[curve ?? ''] ?? 'ES256';
}
