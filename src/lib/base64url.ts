const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** Strict base64url decoding (RFC 7515 §2): no padding, no characters outside the URL-safe alphabet. */
export function decodeBase64url(value: string): Buffer | undefined {
  if (!BASE64URL_PATTERN.test(value) || value.length % 4 === 1) return undefined;
  return Buffer.from(value, 'base64url');
}

export const encodeBase64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

/** Decodes a base64url JSON object, or undefined when it is not one. */
export function decodeJsonObject(value: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64url(value);
  if (!bytes) return undefined;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
