import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 as base64url; used to store high-entropy secrets (API keys, client secrets) hashed. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
