/** One form field from its description: a labelled control, its help, and its errors beside it. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ApiMessage, Json } from '../api.js';
import { html } from '../html.js';
import type { FieldSpec } from '../resource-spec.js';
import { CodeEditor } from './code-editor.js';
import { FieldErrors } from './errors.js';

interface Props {
  spec: FieldSpec;
  id: string;
  /** A string for text-like kinds (JSON and lines as text), a boolean for checkboxes. */
  value: string | boolean;
  onChange: (value: string | boolean) => void;
  errors: ApiMessage[];
  disabled?: boolean;
}

function ReferenceOptions({ spec, value }: { spec: FieldSpec; value: string }) {
  const [items, setItems] = useState<Json[]>([]);
  useEffect(() => {
    if (spec.reference) api('GET', spec.reference.endpoint).then((body) => setItems(body?.[spec.reference!.listKey] ?? []), () => setItems([]));
  }, [spec.reference?.endpoint]);
  const known = items.some((item) => item.id === value);
  return html`<option value="">(none)</option>
    ${value && !known ? html`<option value=${value}>${value}</option>` : null}
    ${items.map((item) => html`<option value=${item.id}>${item.name ?? item.id}</option>`)}`;
}

export function Field({ spec, id, value, onChange, errors, disabled }: Props) {
  const errorId = `${id}-errors`;
  const helpId = `${id}-help`;
  const describedBy = [spec.help ? helpId : '', errors.length ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const invalid = errors.length > 0 ? 'true' : undefined;
  const text = typeof value === 'string' ? value : '';
  const onText = (e: Event) => onChange((e.target as HTMLInputElement).value);
  const common = { id, name: spec.path, 'aria-describedby': describedBy, 'aria-invalid': invalid, disabled };
  let control;
  switch (spec.kind) {
    case 'checkbox':
      control = html`<input type="checkbox" ...${common} checked=${value === true} onChange=${(e: Event) => onChange((e.target as HTMLInputElement).checked)} />`;
      break;
    case 'select':
      control = html`<select ...${common} value=${text} onChange=${onText}>
        <option value="">(default)</option>
        ${(spec.options ?? []).map((o) => html`<option value=${o}>${o}</option>`)}
      </select>`;
      break;
    case 'reference':
      control = html`<select ...${common} value=${text} onChange=${onText}><${ReferenceOptions} spec=${spec} value=${text} /></select>`;
      break;
    case 'code':
      control = html`<${CodeEditor} id=${id} value=${text} onInput=${(v: string) => onChange(v)} describedBy=${describedBy} invalid=${errors.length > 0} />`;
      break;
    case 'json':
    case 'lines':
    case 'textarea':
      control = html`<textarea ...${common} rows=${spec.kind === 'json' ? 6 : 3} spellcheck=${false} value=${text} onInput=${onText}></textarea>`;
      break;
    default:
      control = html`<input
        type=${spec.kind === 'password' ? 'password' : spec.kind === 'number' ? 'number' : spec.kind === 'url' ? 'url' : 'text'}
        autocomplete=${spec.kind === 'password' ? 'new-password' : 'off'}
        ...${common}
        value=${text}
        onInput=${onText}
      />`;
  }
  return html`<div class=${`field field-${spec.kind}${errors.length ? ' has-errors' : ''}`}>
    <label for=${id}>${spec.label}</label>
    ${control}
    ${spec.help ? html`<p class="help" id=${helpId}>${spec.help}</p>` : null}
    <${FieldErrors} id=${errorId} messages=${errors} />
  </div>`;
}
