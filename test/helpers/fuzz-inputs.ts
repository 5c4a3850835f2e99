import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

/**
 * Hostile inputs for the fuzz suites: text a parser or a database may choke on, and the ways a
 * client can encode it wrongly. Each arbitrary shrinks towards short, simple values.
 */

/**
 * The values every known parameter is tried with (as fixed examples, before the random runs):
 * NUL, other controls, an unpaired surrogate, a prototype key, and lengths over the limits.
 */
export const CRITICAL_VALUES: readonly string[] = ['\u0000', 'a\u0000b', '\u001f', '\u007f', '\ud800', '__proto__', 'a'.repeat(256), 'a'.repeat(2049), 'a'.repeat(33_000)];

/** Text with the characters that differ between databases or break parsers. */
export const hostileText: Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...CRITICAL_VALUES) },
  { weight: 3, arbitrary: fc.constantFrom(
    '\u0000', 'a\u0000b', '\u0001', '\t', '\n', '\r\n', '\u001f', '\u007f', '\u0085', '\u2028',
    '\ud800', '\udfff', 'x\ud800y', '\udc00\ud800', '\ufffd', '\ufeff', '😀', 'é',
    '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString',
    '', ' ', '%', '%zz', '%00', '&', '=', '+', '..', '../', '\\', '"', "'", '<script>', '${x}', 'null', '[]', '{}',
  ) },
  // Any UTF-16 code units, lone surrogates included.
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  // Long values: around the per-parameter limits and beyond the body limit.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', 'é', '\u0000', '%'), fc.constantFrom(191, 192, 255, 256, 513, 1025, 2049, 16_385, 40_000)).map(([c, n]) => c.repeat(n)) },
);

/** How a value is written into a URL-encoded form or query string. */
export type Encoding = 'percent' | 'raw' | 'broken';

const BROKEN_ESCAPES = ['%', '%0', '%zz', '%G0', '%C3%28', '%ED%A0%80', '%C0%80', '%FF', '%E2%82', '%F4%90%80%80', '%%41'];

/** RFC 3986 percent-encoding of the UTF-8 bytes (a lone surrogate becomes U+FFFD's bytes). */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * One encoded value. In a URL (`inUrl`) a raw value keeps only what an HTTP client can send
 * unescaped; in a body it is sent as it is (UTF-8 bytes, controls and all).
 */
export function encode(value: string, encoding: Encoding, broken: string, inUrl: boolean): string {
  if (encoding === 'percent') return percentEncode(value);
  if (encoding === 'broken') return `${percentEncode(value.slice(0, 8))}${broken}${percentEncode(value.slice(8))}`;
  return inUrl ? value.replace(/[^\x21-\x7e]|#/g, (c) => percentEncode(c)) : value;
}

export const encoding: Arbitrary<Encoding> = fc.constantFrom<Encoding>('percent', 'percent', 'raw', 'broken');
export const brokenEscape: Arbitrary<string> = fc.constantFrom(...BROKEN_ESCAPES);

/** Parameter names: the route's own, prototype keys, array-style names and random ones. */
export const parameterName = (known: readonly string[]): Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('x') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__') },
    { weight: 1, arbitrary: (known.length > 0 ? fc.constantFrom(...known) : fc.constant('x')).map((name) => `${name}[]`) },
    { weight: 1, arbitrary: hostileText.map((text) => text.slice(0, 64)) },
  );

/**
 * A JSON body from parameters whose names may be paths (`user.email` → `{"user":{"email":…}}`),
 * so nested fields of FusionAuth-shaped bodies get hostile values too. Prototype keys stay
 * plain members (null-prototype objects).
 */
export function nest(values: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(values)) {
    const parts = name.split('.');
    let at = root;
    for (const part of parts.slice(0, -1)) {
      const next = at[part];
      at = (at[part] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : Object.create(null)) as Record<string, unknown>;
    }
    at[parts[parts.length - 1]] = value;
  }
  return root;
}

/** JSON values of the wrong type or shape for a parameter. */
export const wrongType: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, [], {}, [''], { '': '' }),
  fc.integer(),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'a'), hostileText, { maxKeys: 2 }),
  hostileText,
);

const samplesOf = (known: readonly string[], samples: Record<string, string>) => Object.fromEntries(Object.entries(samples).filter(([name]) => known.includes(name)));

/** JSON bodies: wrong types for known names, deep nesting, prototype keys, invalid syntax. */
export const jsonBody = (known: readonly string[], samples: Record<string, string>): Arbitrary<string> =>
  fc.oneof(
    fc.dictionary(parameterName(known), fc.oneof(wrongType, ...Object.values(samples).map((v) => fc.constant(v))), { maxKeys: 6 }).map((object) => JSON.stringify(nest({ ...samplesOf(known, samples), ...object }))),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.integer({ min: 64, max: 30_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.integer({ min: 64, max: 10_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    fc.constantFrom(
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"client_id":"\\u0000"}',
      '{"client_id":"\\ud800"}',
      '{',
      '',
      'null',
      '"\\u0000"',
      '{"a":1,"a":2}',
      '[1,]',
    ),
  );
