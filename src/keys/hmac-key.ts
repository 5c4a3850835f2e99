import type { FieldErrors } from '../lib/api-error.js';
import { newId } from '../lib/ids.js';
import type { StoredKey } from '../store/records.js';

/** Bytes an HMAC secret needs at least: the hash output size (RFC 7518 §3.2). */
const MIN_SECRET_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

export interface HmacImportRequest {
  id?: string;
  name?: string;
  algorithm?: string;
  kid?: string;
  secret?: string;
}

/**
 * `POST /api/key/import` of an HMAC key (FusionAuth: `{key: {algorithm: "HS256", name, secret}}`):
 * a shared secret for signing (webhook signatures), never published in a JWKS. The secret is
 * used as its UTF-8 bytes and must be at least as long as the hash output (RFC 7518 §3.2).
 */
export function hmacKeyFromImport(request: HmacImportRequest, now: number, errors: FieldErrors): { key: StoredKey; secret: string } {
  const algorithm = request.algorithm ?? 'HS256';
  const minimum = MIN_SECRET_BYTES[algorithm];
  if (minimum === undefined) errors.add('key.algorithm', 'invalid', 'An HMAC key is HS256, HS384 or HS512.');
  const secret = request.secret ?? '';
  if (secret === '') errors.add('key.secret', 'blank', 'An HMAC key needs its [key.secret].');
  else if (minimum !== undefined && Buffer.byteLength(secret, 'utf8') < minimum) errors.add('key.secret', 'invalid', `An ${algorithm} secret has at least ${minimum} bytes.`);
  const id = request.id ?? newId();
  return {
    key: { id, name: request.name ?? '', kid: request.kid ?? id, algorithm, type: 'HMAC', hasPrivateKey: false, insertInstant: now, lastUpdateInstant: now },
    secret,
  };
}
