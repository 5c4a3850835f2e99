/**
 * Declarative descriptions of the admin resources: one list and one form per resource are
 * generated from these, so a new resource costs a description, not a screen.
 */
import type { ComponentChild } from 'preact';
import type { Json } from './api.js';

export type FieldKind = 'text' | 'url' | 'number' | 'checkbox' | 'select' | 'lines' | 'json' | 'textarea' | 'password' | 'code' | 'reference';

export interface FieldSpec {
  /** Dotted path inside the resource object (and, prefixed by the wrapper, the `fieldErrors` key). */
  path: string;
  label: string;
  kind: FieldKind;
  help?: string;
  options?: string[];
  /** `reference`: choose the id of another resource (`/api/lambda` → `lambdas`, shown by `name`). */
  reference?: { endpoint: string; listKey: string };
  /** Only when creating (immutable afterwards). */
  createOnly?: boolean;
  /** Never returned by the API (secrets): left empty on edit, sent only when filled in. */
  writeOnly?: boolean;
}

export interface ColumnSpec {
  label: string;
  path: string;
}

export interface ResourceSpec {
  /** The route segment (`#/applications`). */
  id: string;
  title: string;
  singular: string;
  /** `/api/application`: POST to create, GET/PUT/DELETE `{endpoint}/{id}`. */
  endpoint: string;
  /** Where a new one is POSTed, when not `endpoint` (`/api/key/generate`). */
  createEndpoint?: string;
  /** The body wrapper (`{"application": …}`) and the prefix of its field errors. */
  wrapper: string;
  /** The list's array in `GET {endpoint}`. */
  listKey: string;
  columns: ColumnSpec[];
  fields: FieldSpec[];
  /** Values the create response shows once (a generated secret or key). */
  shownOnce?: ColumnSpec[];
  /** The object a new one starts from. */
  initial?: Json;
  /** No update endpoint (signing keys): the form only creates. */
  createOnly?: boolean;
  /** Extra sections below the form of a saved object (dry runs, previews). */
  panels?: ((record: Json) => ComponentChild)[];
  /** Tools above the form (e.g. filling a provider from a discovery URL). */
  tools?: (draft: Json, setDraft: (next: Json) => void) => ComponentChild;
  intro?: string;
}
