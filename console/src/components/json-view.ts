/** Read-only JSON, and a textarea that parses claims or decodes an encoded JWT's payload. */
import type { Json } from '../api.js';
import { html } from '../html.js';

export function JsonView({ value, label }: { value: Json; label: string }) {
  if (value === undefined || value === null) return null;
  return html`<figure class="json">
    <figcaption>${label}</figcaption>
    <pre tabindex="0">${JSON.stringify(value, null, 2)}</pre>
  </figure>`;
}

/** `{…}` as JSON, or `header.payload.signature` as the decoded payload (RFC 7519 §7.2 step 7; no verification). */
export function claimsFrom(text: string): Json {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed);
  const parts = trimmed.split('.');
  if (parts.length !== 3) throw new Error('Paste claims as a JSON object, or an encoded JWT (header.payload.signature).');
  const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function optionalJson(text: string, what: string): Json {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON.`);
  }
}
