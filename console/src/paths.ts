/** Dotted paths into plain JSON objects (`oauthConfiguration.clientId`), read and written immutably. */
import type { Json } from './api.js';

export function getAt(value: Json, path: string): Json {
  return path.split('.').reduce((current, key) => (current === null || current === undefined ? undefined : current[key]), value);
}

export function setAt(value: Json, path: string, next: unknown): Json {
  const [head, ...rest] = path.split('.');
  const base = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const copy = { ...base };
  if (rest.length === 0) {
    if (next === undefined) delete copy[head];
    else copy[head] = next;
  } else copy[head] = setAt(base[head], rest.join('.'), next);
  return copy;
}
