/**
 * Outbound HTTP for JWKS and discovery documents: an explicit time budget, a size limit,
 * no redirects, http only where allowed, and an injectable `fetch` (the jose pattern).
 */
export type FetchErrorCode =
  | 'FETCH_URL_INVALID'
  | 'FETCH_SCHEME_FORBIDDEN'
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

export interface FetchPolicy {
  timeoutMs: number;
  maxBytes: number;
  allowHttp: boolean;
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

/** A POST instead of the default GET (an OAuth token request: a form, maybe Basic credentials). */
export interface JsonRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export async function fetchJson(rawUrl: string, policy: FetchPolicy, request?: JsonRequest): Promise<JsonResponse> {
  const url = checkFetchUrl(rawUrl, policy.allowHttp);
  const doFetch = policy.fetch ?? fetch;
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let response: Response;
  try {
    response = await doFetch(url, {
      ...(request ? { method: request.method, body: request.body } : {}),
      headers: { ...(request?.headers ?? {}), accept: 'application/json' },
      redirect: 'error',
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw new FetchError('FETCH_TIMEOUT', `no answer within ${policy.timeoutMs} ms`);
    throw new FetchError('FETCH_NETWORK', `request failed: ${(error as Error).message}`);
  }
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
  try {
    return { status: response.status, headers: response.headers, body: JSON.parse(text) };
  } catch {
    throw new FetchError('FETCH_NOT_JSON', 'body is not JSON');
  }
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
