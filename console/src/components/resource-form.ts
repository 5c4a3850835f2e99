/** The form of one resource, generated from its field descriptions; saves through `/api`. */
import { useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { html } from '../html.js';
import { getAt, setAt } from '../paths.js';
import type { FieldSpec, ResourceSpec } from '../resource-spec.js';
import { errorsFor, ErrorSummary } from './errors.js';
import { Field } from './field.js';

function toText(field: FieldSpec, value: Json): string | boolean {
  if (field.kind === 'checkbox') return value === true;
  if (field.writeOnly) return '';
  if (value === undefined || value === null) return '';
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  if (field.kind === 'lines') return Array.isArray(value) ? value.join('\n') : String(value);
  return String(value);
}

class LocalError extends Error {}

function fromText(field: FieldSpec, text: string | boolean): unknown {
  if (field.kind === 'checkbox') return text === true;
  const value = String(text);
  if (value.trim() === '') return undefined;
  switch (field.kind) {
    case 'json':
      try {
        return JSON.parse(value);
      } catch (error) {
        throw new LocalError(`Not valid JSON: ${(error as Error).message}`);
      }
    case 'lines':
      return value.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    case 'number':
      if (!/^-?\d+$/.test(value.trim())) throw new LocalError('Enter a whole number.');
      return Number(value);
    default:
      return value;
  }
}

interface Props {
  spec: ResourceSpec;
  record: Json;
  onSaved: (saved: Json, response: Json) => void;
}

export function ResourceForm({ spec, record, onSaved }: Props) {
  const editing = Boolean(record.id) && !spec.createOnly;
  const fields = spec.fields.filter((f) => !(editing && f.createOnly && f.kind !== 'checkbox' && getAt(record, f.path) === undefined));
  const [texts, setTexts] = useState<Record<string, string | boolean>>(() => Object.fromEntries(fields.map((f) => [f.path, toText(f, getAt(record, f.path))])));
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const [busy, setBusy] = useState(false);
  const key = (f: FieldSpec) => `${spec.wrapper}.${f.path}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    let body: Json = { ...record };
    const local: ApiErrors = { fieldErrors: {}, generalErrors: [] };
    for (const field of fields) {
      if (field.writeOnly && texts[field.path] === '') continue;
      try {
        body = setAt(body, field.path, fromText(field, texts[field.path]));
      } catch (error) {
        if (!(error instanceof LocalError)) throw error;
        local.fieldErrors[key(field)] = [{ code: `[invalid]${key(field)}`, message: error.message }];
      }
    }
    if (Object.keys(local.fieldErrors).length > 0) return setErrors(local);
    setBusy(true);
    try {
      const response = editing ? await api('PUT', `${spec.endpoint}/${record.id}`, { [spec.wrapper]: body }) : await api('POST', spec.createEndpoint ?? spec.endpoint, { [spec.wrapper]: body });
      setErrors(null);
      onSaved(response?.[spec.wrapper] ?? body, response);
    } catch (error) {
      setErrors(asApiErrors(error));
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="resource-form" onSubmit=${submit} novalidate>
    <${ErrorSummary} errors=${errors} claimed=${fields.map(key)} />
    ${fields.map(
      (field) => html`<${Field}
        spec=${field}
        id=${`f-${spec.id}-${field.path.replace(/[^A-Za-z0-9]/g, '-')}`}
        value=${texts[field.path]}
        disabled=${editing && field.createOnly}
        errors=${errorsFor(errors, key(field))}
        onChange=${(value: string | boolean) => setTexts({ ...texts, [field.path]: value })}
      />`,
    )}
    <div class="actions"><button type="submit" disabled=${busy}>${editing ? `Save ${spec.singular}` : `Create ${spec.singular}`}</button></div>
  </form>`;
}
