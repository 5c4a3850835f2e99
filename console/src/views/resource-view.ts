/** A resource's list and its detail page (form, shown-once values, extra panels), from its description. */
import { useEffect, useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { ErrorSummary } from '../components/errors.js';
import { ResourceForm } from '../components/resource-form.js';
import { html } from '../html.js';
import { getAt } from '../paths.js';
import type { ColumnSpec, ResourceSpec } from '../resource-spec.js';
import { href, navigate } from '../router.js';

const show = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

export function ResourceList({ spec }: { spec: ResourceSpec }) {
  const [items, setItems] = useState<Json[] | null>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  useEffect(() => {
    setItems(null);
    api('GET', spec.endpoint).then((body) => setItems(body?.[spec.listKey] ?? []), (error) => setErrors(asApiErrors(error)));
  }, [spec.id]);
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">${spec.title}</h1>
    ${spec.intro ? html`<p class="intro">${spec.intro}</p>` : null}
    <p><a class="button" href=${href(spec.id, 'new')}>New ${spec.singular}</a></p>
    <${ErrorSummary} errors=${errors} />
    ${items === null && !errors ? html`<p role="status">Loading…</p>` : null}
    ${items && items.length === 0 ? html`<p>None yet.</p>` : null}
    ${items && items.length > 0
      ? html`<table>
          <caption class="visually-hidden">${spec.title}</caption>
          <thead><tr>${spec.columns.map((c) => html`<th scope="col">${c.label}</th>`)}</tr></thead>
          <tbody>
            ${items.map(
              (item) => html`<tr>
                ${spec.columns.map((c: ColumnSpec, i: number) =>
                  i === 0 ? html`<td><a href=${href(spec.id, item.id)}>${show(getAt(item, c.path)) || item.id}</a></td>` : html`<td>${show(getAt(item, c.path))}</td>`,
                )}
              </tr>`,
            )}
          </tbody>
        </table>`
      : null}
  </section>`;
}

function ShownOnce({ spec, response }: { spec: ResourceSpec; response: Json }) {
  const values = (spec.shownOnce ?? []).map((c) => ({ label: c.label, value: getAt(response?.[spec.wrapper], c.path) })).filter((v) => v.value);
  if (values.length === 0) return null;
  return html`<div class="shown-once" role="status">
    <h2>Copy it now: shown only once</h2>
    <dl>${values.map((v) => html`<dt>${v.label}</dt><dd><code class="secret">${String(v.value)}</code></dd>`)}</dl>
  </div>`;
}

export function ResourceDetail({ spec, id }: { spec: ResourceSpec; id: string }) {
  const creating = id === 'new';
  const [record, setRecord] = useState<Json | null>(creating ? (spec.initial ?? {}) : null);
  const [version, setVersion] = useState(0);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const [created, setCreated] = useState<Json>(null);
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    setSaved(false);
    setConfirming(false);
    if (creating) {
      setRecord(spec.initial ?? {});
      setCreated(null);
      return;
    }
    if (record?.id === id) return;
    setRecord(null);
    setCreated(null);
    api('GET', `${spec.endpoint}/${id}`).then((body) => setRecord(body?.[spec.wrapper]), (error) => setErrors(asApiErrors(error)));
  }, [spec.id, id]);
  const remove = async () => {
    try {
      await api('DELETE', `${spec.endpoint}/${id}`);
      navigate(spec.id);
    } catch (error) {
      setErrors(asApiErrors(error));
    }
  };
  const name = record ? (record.name ?? record.id ?? '') : '';
  return html`<section aria-labelledby="page-title">
    <p class="breadcrumb"><a href=${href(spec.id)}>${spec.title}</a></p>
    <h1 id="page-title">${creating ? `New ${spec.singular}` : `${spec.singular}: ${name}`}</h1>
    <${ErrorSummary} errors=${errors} />
    <${ShownOnce} spec=${spec} response=${created} />
    ${saved ? html`<p class="saved" role="status">Saved.</p>` : null}
    ${record && spec.tools
      ? spec.tools(record, (next) => {
          setRecord(next);
          setVersion(version + 1);
        })
      : null}
    ${record
      ? html`<${ResourceForm}
          key=${`${record.id ?? 'new'}-${version}`}
          spec=${spec}
          record=${record}
          onSaved=${(next: Json, response: Json) => {
            if (creating) {
              setCreated(response);
              setRecord(next);
              if (next.id) navigate(spec.id, next.id);
            } else {
              setRecord(next);
              setVersion(version + 1);
              setSaved(true);
            }
          }}
        />`
      : !errors && html`<p role="status">Loading…</p>`}
    ${record?.id && !creating ? (spec.panels ?? []).map((panel) => panel(record)) : null}
    ${record?.id && !creating
      ? html`<div class="danger">
          ${confirming
            ? html`<button type="button" class="danger" onClick=${remove}>Yes, delete this ${spec.singular.toLowerCase()}</button>
                <button type="button" onClick=${() => setConfirming(false)}>Keep it</button>`
            : html`<button type="button" onClick=${() => setConfirming(true)}>Delete ${spec.singular.toLowerCase()}</button>`}
        </div>`
      : null}
  </section>`;
}
