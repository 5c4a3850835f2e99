import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { decodeBase64url, decodeJsonObject } from '../lib/base64url.js';
import type { SigningAlgorithm } from '../store/records.js';
import { ALGORITHMS } from './algorithms.js';

/**
 * Compact JWS on node:crypto (the measured hot path: ES256 sign ≈ 30k/s, verify ≈ 13k/s per core).
 * JWK parsing, thumbprints and everything off the hot path use jose; tests cross-check both.
 */
export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export type JwsParseError = 'MALFORMED' | 'BAD_HEADER' | 'BAD_PAYLOAD' | 'BAD_SIGNATURE_ENCODING';

/** Splits and decodes a compact JWS (RFC 7515 §7.1) without verifying it. */
export function parseCompactJws(token: string): ParsedJws | JwsParseError {
  if (typeof token !== 'string' || token.length > 16384) return 'MALFORMED';
  const parts = token.split('.');
  if (parts.length !== 3) return 'MALFORMED';
  const header = decodeJsonObject(parts[0]);
  if (!header) return 'BAD_HEADER';
  const payload = decodeJsonObject(parts[1]);
  if (!payload) return 'BAD_PAYLOAD';
  const signature = decodeBase64url(parts[2]);
  if (!signature || signature.length === 0) return 'BAD_SIGNATURE_ENCODING';
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature };
}

export function verifyJwsSignature(jws: ParsedJws, alg: SigningAlgorithm, key: KeyObject): boolean {
  const spec = ALGORITHMS[alg];
  try {
    return cryptoVerify(spec.digest, Buffer.from(jws.signingInput), { key, ...spec.options }, jws.signature);
  } catch {
    return false;
  }
}

export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, alg: SigningAlgorithm, key: KeyObject): string {
  const spec = ALGORITHMS[alg];
  const signingInput = `${Buffer.from(JSON.stringify({ ...header, alg })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = cryptoSign(spec.digest, Buffer.from(signingInput), { key, ...spec.options });
  return `${signingInput}.${signature.toString('base64url')}`;
}
