import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.js';
import { brokenEscape, CRITICAL_VALUES, encode, encoding, hostileText, jsonBody, nest, parameterName, percentEncode } from './fuzz-inputs.js';

/**
 * A route-table driven fuzzer for a real server: each route gets requests with hostile
 * parameters, encodings, content types and sizes, and every answer must be below 500; a refused
 * request (4xx, or a redirect carrying `error=`) must leave every counted table as it was.
 */
export interface FuzzRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path template; `{name}` is a path parameter, its valid value in `samples`. */
  url: string;
  /** How parameters are sent: a form body, a JSON body, or (none) the query string. */
  body: 'form' | 'json' | 'none';
  /** The parameter names the route knows; for a JSON body a name may be a path (`user.email`). */
  parameters: readonly string[];
  /** Valid values (parameters and path parameters): mixed in so requests get past the first checks. */
  samples?: Record<string, string>;
  /** Extra request headers that make a request valid (an API key, a tenant id). */
  headers?: Record<string, string>;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FuzzReply {
  status: number;
  location: string | undefined;
  text: string;
}

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/xml',
  'application/json; charset=latin1',
  'a/b/c',
  '',
];

/**
 * URL-encoded parameters. Mostly the valid samples with one known parameter replaced (or
 * added) by a hostile value, so the request reaches the check of that parameter; otherwise
 * some samples plus random hostile entries (repeats, prototype keys, array names).
 */
const urlEncoded = (route: FuzzRoute, inUrl: boolean): Arbitrary<string> => {
  const samples = Object.entries(route.samples ?? {}).filter(([name]) => route.parameters.includes(name));
  const pair = (name: string, value: string) => `${percentEncode(name)}=${percentEncode(value)}`;
  const known = route.parameters.length > 0 ? fc.constantFrom(...route.parameters) : fc.constant('x');
  const oneReplaced = fc.tuple(known, hostileText, encoding, brokenEscape).map(([name, value, how, broken]) =>
    [...samples.filter(([n]) => n !== name).map(([n, v]) => pair(n, v)), `${percentEncode(name)}=${encode(value, how, broken, inUrl)}`].join('&'),
  );
  const valid = fc.subarray(samples).map((entries) => entries.map(([name, value]) => pair(name, value)));
  const hostile = fc.array(
    fc.tuple(parameterName(route.parameters), fc.oneof(hostileText, ...samples.map(([, v]) => fc.constant(v))), encoding, brokenEscape).map(([name, value, how, broken]) => `${percentEncode(name)}=${encode(value, how, broken, inUrl)}`),
    { maxLength: 4 },
  );
  const mixed = fc.tuple(valid, hostile, fc.boolean()).map(([a, b, shuffle]) => (shuffle ? [...b, ...a] : [...a, ...b]).join('&'));
  return fc.oneof({ weight: 3, arbitrary: oneReplaced }, { weight: 2, arbitrary: mixed });
};

/** fast-check prints a counterexample with this: the body as text, not as a byte list. */
const readable = (request: FuzzRequest): FuzzRequest => Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });

const HOSTILE_AUTHORIZATION: Arbitrary<string> = fc.oneof(
  fc.tuple(hostileText, hostileText).map(([user, secret]) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`),
  fc.tuple(hostileText, encoding, brokenEscape).map(([user, how, broken]) => `Basic ${Buffer.from(`${encode(user, how, broken, true)}:s`).toString('base64')}`),
  fc.constantFrom('Basic', 'Basic !!!', 'Basic Og==', 'Bearer x', 'basic YTpi', `Basic ${'A'.repeat(4000)}`),
);

/**
 * Requests for one route, each with one thing wrong: its parameters (most often), a path
 * parameter, the content type, the body's bytes or size, or the Authorization header.
 * `bodyLimit` is the server's, so some bodies are just over it.
 */
export function fuzzRequests(route: FuzzRoute, bodyLimit: number): Arbitrary<FuzzRequest> {
  const samples = route.samples ?? {};
  const names = [...route.url.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const validPath = names.reduce((url, name) => url.replace(`{${name}}`, percentEncode(samples[name] ?? 'x')), route.url);
  const hostilePath = fc
    .tuple(fc.constantFrom(...(names.length > 0 ? names : ['-'])), hostileText, encoding, brokenEscape)
    .map(([bad, value, how, broken]) => names.reduce((url, name) => url.replace(`{${name}}`, name === bad ? encode(value.slice(0, 300), how, broken, true) || '%20' : percentEncode(samples[name] ?? 'x')), route.url));
  const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
  const ownType = route.body === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  const params = route.body === 'json' ? jsonBody(route.parameters, samples) : urlEncoded(route, !hasBody);
  const known = Object.entries(samples).filter(([name]) => route.parameters.includes(name));
  const validText = route.body === 'json' ? JSON.stringify(nest(Object.fromEntries(known))) : known.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&');
  type Shape = { path: string; query?: string; type?: string; body?: Buffer; authorization?: string };
  const request = (shape: Arbitrary<Shape>): Arbitrary<FuzzRequest> =>
    shape.map(({ path, query, type, body, authorization }) =>
      readable({
        method: route.method,
        path: query ? `${path}?${query}` : path,
        headers: { ...route.headers, ...(type ? { 'content-type': type } : {}), ...(authorization ? { authorization } : {}) },
        ...(body ? { body } : {}),
      }),
    );
  const withParams = (text: string, type = ownType): Shape => (hasBody ? { path: validPath, type, body: Buffer.from(text) } : { path: validPath, query: text });
  const validShape = fc.constant(withParams(validText));
  const shapes: { weight: number; arbitrary: Arbitrary<Shape> }[] = [
    { weight: 6, arbitrary: params.map((text) => withParams(text)) },
    { weight: 1, arbitrary: fc.tuple(hostilePath, validShape).map(([path, shape]) => ({ ...shape, path })) },
    { weight: 1, arbitrary: fc.tuple(HOSTILE_AUTHORIZATION, validShape).map(([authorization, shape]) => ({ ...shape, authorization })) },
  ];
  if (hasBody) {
    const other = route.body === 'json' ? urlEncoded(route, false) : jsonBody(route.parameters, samples);
    shapes.push(
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.oneof(params, other)).map(([type, text]) => withParams(text, type)) },
      { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((type) => ({ path: validPath, type, body: Buffer.alloc(bodyLimit + 1, 'a') })) },
      { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((type) => ({ path: validPath, type, body: Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0x00, 0xc0, 0x80, 0xed, 0xa0, 0x80]) })) },
    );
  }
  return request(fc.oneof(...shapes));
}

/**
 * Fixed examples run before the random ones: every known parameter and every path parameter
 * with every critical value, in an otherwise valid request, and as the HTTP Basic user.
 */
export function criticalRequests(route: FuzzRoute): FuzzRequest[] {
  const samples = route.samples ?? {};
  const names = [...route.url.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
  const path = (bad?: string, value = '') => names.reduce((url, name) => url.replace(`{${name}}`, percentEncode(name === bad ? value : (samples[name] ?? 'x'))), route.url);
  const known = Object.entries(samples).filter(([name]) => route.parameters.includes(name));
  const params = (bad?: string, value = ''): Record<string, string> => ({ ...Object.fromEntries(known), ...(bad ? { [bad]: value } : {}) });
  const build = (url: string, values: Record<string, string>, authorization?: string): FuzzRequest => {
    const text = route.body === 'json' ? JSON.stringify(nest(values)) : Object.entries(values).map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&');
    const headers = { ...route.headers, ...(authorization ? { authorization } : {}) };
    if (!hasBody) return readable({ method: route.method, path: text ? `${url}?${text}` : url, headers });
    const type = route.body === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    return readable({ method: route.method, path: url, headers: { ...headers, 'content-type': type }, body: Buffer.from(text) });
  };
  return CRITICAL_VALUES.flatMap((value) => [
    ...route.parameters.map((name) => build(path(), params(name, value))),
    ...names.map((name) => build(path(name, value.slice(0, 2049)), params())),
    // Without the body's client credentials, so the Basic user is what names the client.
    build(path(), Object.fromEntries(known.filter(([name]) => !name.startsWith('client_'))), `Basic ${Buffer.from(`${percentEncode(value)}:secret`).toString('base64')}`),
  ]);
}

/** One request over a fresh connection, bytes as generated (no client-side URL repair). */
export function send(baseUrl: string, request: FuzzRequest): Promise<FuzzReply> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: base.hostname, port: base.port, method: request.method, path: request.path, agent: false, headers: { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, text: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
        response.on('error', reject);
      },
    );
    // The server may answer (413) and close before it read a large body: the answer still counts.
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/**
 * Counts the rows of every table except `excluded`: the event log by default, since a refusal
 * may be audited; everything else (tenants, applications, users, registrations, links, refresh
 * tokens, used jtis, pending actions, authorization transactions, ...) must not change.
 */
export async function rowCounter(store: Store, excluded: readonly string[] = ['event_log']): Promise<() => Promise<Record<string, number>>> {
  const listed =
    store.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(store.db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(store.db);
  const tables = listed.rows.map((r) => r.name).filter((name) => !excluded.includes(name) && /^[a-z_]+$/.test(name)).sort();
  assert.ok(tables.includes('applications') && tables.includes('authorization_transactions'), `tables found: ${tables.join(', ')}`);
  const query = sql.raw<Record<string, string | number>>(`select ${tables.map((t) => `(select count(*) from "${t}") as "${t}"`).join(', ')}`);
  return async () => {
    const row = (await query.execute(store.db)).rows[0];
    return Object.fromEntries(tables.map((t) => [t, Number(row[t])]));
  };
}

export const describeRequest = (request: FuzzRequest): string =>
  `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers)} ${request.body ? JSON.stringify(request.body.subarray(0, 300).toString('latin1')) : ''}`;

/** A refusal: a client error, or an authorization response redirected back with `error`. */
const refused = (reply: FuzzReply): boolean => (reply.status >= 400 && reply.status < 500) || (reply.status === 302 && /[?&]error=/.test(reply.location ?? ''));

export interface FuzzOptions {
  baseUrl: string;
  bodyLimit: number;
  countRows: () => Promise<Record<string, number>>;
  numRuns: number;
  seed: number;
}

/** Runs the property for one route; fast-check reports the seed and the shrunk failing request. */
export async function fuzzRoute(route: FuzzRoute, options: FuzzOptions): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fuzzRequests(route, options.bodyLimit), async (request) => {
      const before = await options.countRows();
      const reply = await send(options.baseUrl, request);
      assert.ok(reply.status >= 200 && reply.status < 500, `${reply.status} ${reply.text} for ${describeRequest(request)}`);
      if (refused(reply)) assert.deepEqual(await options.countRows(), before, `rows changed on a refused request (${reply.status}): ${describeRequest(request)}`);
    }),
    { numRuns: options.numRuns, seed: options.seed, endOnFailure: true, examples: criticalRequests(route).map((request) => [request] as [FuzzRequest]) },
  );
}
