/** The event log (`POST /api/system/event-log/search`): message search with wildcards, type, time range, paging. */
import { useEffect, useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { ErrorSummary, errorsFor, FieldErrors } from '../components/errors.js';
import { Pager } from '../components/search-page.js';
import { html } from '../html.js';

const PAGE = 25;

export function EventLogView() {
  const [message, setMessage] = useState('');
  const [type, setType] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [startRow, setStartRow] = useState(0);
  const [result, setResult] = useState<{ eventLogs: Json[]; total: number } | null>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const search = async (row: number) => {
    const criteria: Json = { numberOfResults: PAGE, startRow: row, orderBy: 'insertInstant DESC' };
    if (message.trim()) criteria.message = message.trim();
    if (type) criteria.type = type;
    if (start) criteria.start = new Date(start).getTime();
    if (end) criteria.end = new Date(end).getTime();
    try {
      setResult(await api('POST', '/api/system/event-log/search', { search: criteria }));
      setStartRow(row);
      setErrors(null);
    } catch (error) {
      setErrors(asApiErrors(error));
    }
  };
  useEffect(() => {
    search(0);
  }, []);
  const input = (id: string, label: string, kind: string, value: string, set: (v: string) => void, errorKey: string) => {
    const messages = errorsFor(errors, errorKey);
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} type=${kind} value=${value} aria-invalid=${messages.length ? 'true' : undefined} aria-describedby=${messages.length ? `${id}-errors` : undefined} onInput=${(e: Event) => set((e.target as HTMLInputElement).value)} />
      <${FieldErrors} id=${`${id}-errors`} messages=${messages} />
    </div>`;
  };
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">Event log</h1>
    <form class="search" role="search" onSubmit=${(e: Event) => (e.preventDefault(), search(0))}>
      ${input('event-message', 'Message contains (* matches anything)', 'search', message, setMessage, 'search.message')}
      <div class="field">
        <label for="event-type">Type</label>
        <select id="event-type" value=${type} onChange=${(e: Event) => setType((e.target as HTMLSelectElement).value)}>
          <option value="">Any</option><option>Information</option><option>Debug</option><option>Error</option>
        </select>
      </div>
      ${input('event-start', 'From', 'datetime-local', start, setStart, 'search.start')}
      ${input('event-end', 'Until', 'datetime-local', end, setEnd, 'search.end')}
      <div class="actions"><button type="submit">Search</button></div>
    </form>
    <${ErrorSummary} errors=${errors} claimed=${['search.message', 'search.start', 'search.end']} />
    ${result
      ? html`<table class="events">
            <caption class="visually-hidden">Event log entries</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Type</th><th scope="col">Message</th></tr></thead>
            <tbody>
              ${result.eventLogs.map(
                (e) => html`<tr><td><time datetime=${new Date(e.insertInstant).toISOString()}>${new Date(e.insertInstant).toLocaleString()}</time></td><td>${e.type}</td><td><pre class="message">${e.message}</pre></td></tr>`,
              )}
            </tbody>
          </table>
          <${Pager} startRow=${startRow} pageSize=${PAGE} total=${result.total} onPage=${search} />`
      : null}
  </section>`;
}
