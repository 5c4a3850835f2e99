import { addressRefusal, literalAddress } from './address-policy.js';
import type { AddressPolicy } from './address-policy.js';
import { addressRefusalIn, guardedDispatcher } from './guarded-dispatcher.js';
import type { HostResolver } from './guarded-dispatcher.js';
import { undici } from './undici-module.js';

/**
 * Every outbound HTTP request of Gatehouse (JWKS, discovery, upstream token endpoints): an
 * explicit time budget, a size limit, no redirects, http only where allowed, and only to the
 * addresses the address policy allows (SSRF), checked on the address actually connected to.
 */
export type FetchErrorCode =
  | 'FETCH_URL_INVALID'
  | 'FETCH_SCHEME_FORBIDDEN'
  | 'FETCH_ADDRESS_FORBIDDEN'
  | 'FETCH_TIMEOUT'
  | 'FETCH_NETWORK'
  | 'FETCH_STATUS'
  | 'FETCH_TOO_LARGE'
  | 'FETCH_NOT_JSON';

export class FetchError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

/** What a URL must be to be fetched; also checked when a URL is registered (outboundUrlProblem). */
export interface OutboundUrlRules {
  allowHttp: boolean;
  /** Which IP addresses may be connected to (address-policy.ts). */
  addresses: AddressPolicy;
}

export interface FetchPolicy extends OutboundUrlRules {
  timeoutMs: number;
  maxBytes: number;
  /** Host name resolution for the connect-time address check; `dns.lookup` unless a test injects one. */
  resolve?: HostResolver;
  /**
   * Replaces undici's `fetch` (tests count calls). A literal-address host is refused before it is
   * called; for a host name it receives the address-guarded dispatcher as `init.dispatcher`, so
   * an injected fetch that passes `init` on to Node's fetch keeps the connect-time check, and
   * one that does not reach the network needs none.
   */
  fetch?: typeof fetch;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export function checkFetchUrl(raw: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError('FETCH_URL_INVALID', 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw new FetchError('FETCH_SCHEME_FORBIDDEN', `scheme ${url.protocol} is not allowed`);
  }
  if (url.username || url.password) throw new FetchError('FETCH_URL_INVALID', 'credentials in URL');
  return url;
}

/** checkFetchUrl plus the address policy for a host that is a literal IP address (any form the URL parser reads). */
export function checkOutboundUrl(raw: string, rules: OutboundUrlRules): URL {
  const url = checkFetchUrl(raw, rules.allowHttp);
  const literal = literalAddress(url.hostname);
  const refusal = literal === undefined ? undefined : addressRefusal(literal, rules.addresses);
  if (refusal) throw new FetchError('FETCH_ADDRESS_FORBIDDEN', refusal);
  return url;
}

/**
 * Why a URL given at registration would not be fetched, as a FusionAuth field-error code:
 * `invalid` (not an absolute http(s) URL, credentials, plain http when not allowed) or
 * `notAllowed` (a literal address the operator's address policy refuses). A host name passes:
 * what it resolves to can only be judged when it is fetched.
 */
export function outboundUrlProblem(raw: string, rules: OutboundUrlRules): { code: 'invalid' | 'addressNotAllowed'; message: string } | undefined {
  try {
    checkOutboundUrl(raw, rules);
    return undefined;
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    return { code: error.code === 'FETCH_ADDRESS_FORBIDDEN' ? 'addressNotAllowed' : 'invalid', message: error.message };
  }
}

/** One pooled, address-guarded dispatcher per fetch policy (policies are made once, at start). */
const dispatchers = new WeakMap<FetchPolicy, ReturnType<typeof guardedDispatcher>>();

function dispatcherOf(policy: FetchPolicy): ReturnType<typeof guardedDispatcher> {
  let dispatcher = dispatchers.get(policy);
  if (!dispatcher) dispatchers.set(policy, (dispatcher = guardedDispatcher(policy.addresses, policy.resolve)));
  return dispatcher;
}

/** A POST instead of the default GET (an OAuth token request: a form, maybe Basic credentials), or a GET with headers. */
export interface JsonRequest {
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
}

/** A response read as text within the limits (a signed userinfo response is `application/jwt`). */
export interface TextResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * The time budget of one request, started once its dispatcher exists: the first outbound request
 * of the process loads undici, and that is not the remote server's time.
 */
function timeBudget(policy: FetchPolicy): AbortSignal {
  dispatcherOf(policy);
  return AbortSignal.timeout(policy.timeoutMs);
}

/** Sends one request under the policy: the URL and address checks, no redirects, the time budget. */
async function send(rawUrl: string, policy: FetchPolicy, init: { method?: string; headers: Record<string, string>; body?: string }, signal: AbortSignal): Promise<Response> {
  const url = checkOutboundUrl(rawUrl, policy);
  const doFetch = policy.fetch ?? (undici().fetch as unknown as typeof fetch);
  try {
    return await doFetch(url, { ...init, redirect: 'error', signal, dispatcher: dispatcherOf(policy) } as RequestInit);
  } catch (error) {
    const refused = addressRefusalIn(error);
    if (refused) throw new FetchError('FETCH_ADDRESS_FORBIDDEN', refused.message);
    if (signal.aborted) throw new FetchError('FETCH_TIMEOUT', `no answer within ${policy.timeoutMs} ms`);
    throw new FetchError('FETCH_NETWORK', `request failed: ${(error as Error).message}`);
  }
}

/** URLs that passed `checkOutboundUrl` under a policy: a webhook's URL is parsed and checked once, not per POST. */
const checkedUrls = new WeakMap<FetchPolicy, Map<string, URL>>();

function checkedUrl(rawUrl: string, policy: FetchPolicy): URL {
  let checked = checkedUrls.get(policy);
  if (!checked) checkedUrls.set(policy, (checked = new Map()));
  let url = checked.get(rawUrl);
  if (!url) {
    url = checkOutboundUrl(rawUrl, policy);
    // The result depends only on the URL and the policy; a host name is still checked at connect time.
    if (checked.size < 1024) checked.set(rawUrl, url);
  }
  return url;
}

/**
 * POSTs `body` and answers the status once the response (at most `maxBytes`, then discarded)
 * has arrived within the time budget: for webhooks, where only the status counts. Redirects are
 * refused like everywhere else: a 3xx is an answer, not a delivery. Sent with undici's
 * `request` on the same address-guarded, keep-alive pool as `fetch` (a fifth of fetch's CPU per
 * request: no WHATWG Request, Response and streams); an injected `fetch` (tests) still gets it.
 */
export async function postForStatus(rawUrl: string, policy: FetchPolicy, headers: Record<string, string>, body: string): Promise<number> {
  const signal = timeBudget(policy);
  if (policy.fetch) {
    const response = await send(rawUrl, policy, { method: 'POST', headers, body }, signal);
    await readLimited(response, policy.maxBytes, signal);
    return response.status;
  }
  const url = checkedUrl(rawUrl, policy);
  let total = 0;
  try {
    const response = await dispatcherOf(policy).request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', headers, body, signal });
    for await (const chunk of response.body) {
      total += (chunk as Buffer).byteLength;
      if (total > policy.maxBytes) {
        response.body.destroy();
        throw new FetchError('FETCH_TOO_LARGE', `larger than ${policy.maxBytes} bytes`);
      }
    }
    return response.statusCode;
  } catch (error) {
    if (error instanceof FetchError) throw error;
    const refused = addressRefusalIn(error);
    if (refused) throw new FetchError('FETCH_ADDRESS_FORBIDDEN', refused.message);
    if (signal.aborted) throw new FetchError('FETCH_TIMEOUT', `no answer within ${policy.timeoutMs} ms`);
    throw new FetchError('FETCH_NETWORK', `request failed: ${(error as Error).message}`);
  }
}

export async function fetchJson(rawUrl: string, policy: FetchPolicy, request?: JsonRequest): Promise<JsonResponse> {
  const { status, headers, text } = await fetchText(rawUrl, policy, request, 'application/json');
  try {
    return { status, headers, body: JSON.parse(text) };
  } catch {
    throw new FetchError('FETCH_NOT_JSON', 'body is not JSON');
  }
}

/** fetchJson's request with its limits, answered as text; `accept` is sent as the Accept header. */
export async function fetchText(rawUrl: string, policy: FetchPolicy, request: JsonRequest | undefined, accept: string): Promise<TextResponse> {
  const signal = timeBudget(policy);
  const init = { ...(request ? { method: request.method, ...(request.body !== undefined ? { body: request.body } : {}) } : {}), headers: { ...(request?.headers ?? {}), accept } };
  const response = await send(rawUrl, policy, init, signal);
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError('FETCH_STATUS', `status ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > policy.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError('FETCH_TOO_LARGE', `larger than ${policy.maxBytes} bytes`);
  }
  const text = await readLimited(response, policy.maxBytes, signal);
  return { status: response.status, headers: response.headers, text };
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new FetchError('FETCH_TOO_LARGE', `larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    if (signal.aborted) throw new FetchError('FETCH_TIMEOUT', 'body not complete within the time budget');
    throw new FetchError('FETCH_NETWORK', `reading body failed: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `max-age` from a Cache-Control header, or undefined; `no-store`/`no-cache` give 0. */
export function maxAgeSeconds(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  const directives = cacheControl.toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  for (const directive of directives) {
    const match = /^max-age=(\d+)$/.exec(directive);
    if (match) return Number(match[1]);
  }
  return undefined;
}
