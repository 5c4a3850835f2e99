import assert from 'node:assert/strict';
import { fetch as undiciFetch } from 'undici';
import type { Dispatcher } from 'undici';

/** A browser's cookies (enough of RFC 6265 for these flows: name, value, path, Max-Age=0). */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();
  /** Every Set-Cookie header seen, in order. */
  readonly received: string[] = [];

  take(response: { headers: { getSetCookie(): string[] } }): void {
    for (const header of response.headers.getSetCookie()) {
      this.received.push(header);
      const [pair, ...attributes] = header.split(';').map((p) => p.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      if (attributes.some((a) => a.toLowerCase() === 'max-age=0')) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  value(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.cookies].filter(([, c]) => pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
  }
}

/**
 * Follows redirects by hand like a browser, with the jar's cookies, until a URL starting with `stopAt`.
 * Each answer must be one of `redirects` (302 unless told: Gatehouse's own; oidc-provider also sends 303).
 */
export async function browse(start: string, jar: CookieJar, stopAt: string, dispatcher?: Dispatcher, redirects: number[] = [302]): Promise<{ url: URL; hops: string[] }> {
  const hops: string[] = [];
  let next = start;
  for (let i = 0; i < 8; i++) {
    if (next.startsWith(stopAt)) return { url: new URL(next), hops };
    const cookie = jar.header(next);
    const response = await undiciFetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {}, ...(dispatcher ? { dispatcher } : {}) });
    jar.take(response);
    const location = response.headers.get('location');
    assert.ok(redirects.includes(response.status), `${next} answered ${response.status}: ${await response.text()}`);
    hops.push(location!);
    next = new URL(location!, next).href;
  }
  throw new Error('too many redirects');
}
