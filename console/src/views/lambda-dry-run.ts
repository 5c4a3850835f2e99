/**
 * The lambda dry run (`POST /api/lambda/{id}/test`): paste claims or an encoded token, see the
 * outcome (completed, rejected, onboarding, failed), the user and registration diff and the logs.
 * Nothing is stored. It runs the saved body: save first.
 */
import { useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { ErrorSummary } from '../components/errors.js';
import { claimsFrom, JsonView, optionalJson } from '../components/json-view.js';
import { html } from '../html.js';

const OUTCOME: Record<string, string> = {
  completed: 'Completed: the login would go on with these changes.',
  rejected: 'Rejected: the lambda called context.reject; the login would be refused.',
  onboarding: 'Onboarding: the lambda asked for more data; nothing would be created yet.',
  failed: 'Failed: the lambda threw or ran out of time or memory.',
};

function DiffTable({ title, diff }: { title: string; diff: Record<string, { before: unknown; after: unknown }> | undefined }) {
  const rows = Object.entries(diff ?? {});
  return html`<table class="diff">
    <caption>${title}: ${rows.length === 0 ? 'no change' : `${rows.length} field${rows.length === 1 ? '' : 's'} changed`}</caption>
    ${rows.length > 0
      ? html`<thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
          <tbody>${rows.map(([field, change]) => html`<tr><th scope="row">${field}</th><td><code>${JSON.stringify(change.before) ?? '—'}</code></td><td><code>${JSON.stringify(change.after) ?? '—'}</code></td></tr>`)}</tbody>`
      : null}
  </table>`;
}

export function Logs({ logs }: { logs: { level: string; message: string }[] | undefined }) {
  return html`<h3>Logs</h3>
    ${logs && logs.length > 0 ? html`<ol class="logs">${logs.map((l) => html`<li><span class=${`level level-${l.level}`}>${l.level}</span> ${l.message}</li>`)}</ol>` : html`<p>No log lines.</p>`}`;
}

export function LambdaDryRun({ lambda }: { lambda: Json }) {
  const [claims, setClaims] = useState('{\n  "sub": "user-1",\n  "email": "jane@example.com"\n}');
  const [user, setUser] = useState('');
  const [registration, setRegistration] = useState('');
  const [input, setInput] = useState('');
  const [result, setResult] = useState<Json>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const run = async (event: Event) => {
    event.preventDefault();
    try {
      const body: Json = { jwt: claimsFrom(claims), debug: true };
      for (const [name, text, label] of [['user', user, 'User'], ['registration', registration, 'Registration'], ['input', input, 'Onboarding input']]) {
        const value = optionalJson(text, label);
        if (value !== undefined) body[name] = value;
      }
      setErrors(null);
      setResult((await api('POST', `/api/lambda/${lambda.id}/test`, body)).result);
    } catch (error) {
      setResult(null);
      setErrors(asApiErrors(error));
    }
  };
  const area = (id: string, label: string, value: string, set: (v: string) => void, rows: number) =>
    html`<div class="field"><label for=${id}>${label}</label><textarea id=${id} rows=${rows} spellcheck=${false} value=${value} onInput=${(e: Event) => set((e.target as HTMLTextAreaElement).value)}></textarea></div>`;
  return html`<section class="panel" aria-labelledby="dry-run-title">
    <h2 id="dry-run-title">Dry run</h2>
    <p>Runs the saved lambda on these claims; nothing is stored.</p>
    <form onSubmit=${run}>
      ${area('dry-run-claims', 'Claims (JSON) or an encoded token', claims, setClaims, 6)}
      ${area('dry-run-user', 'Existing user (JSON, optional)', user, setUser, 2)}
      ${area('dry-run-registration', 'Existing registration (JSON, optional)', registration, setRegistration, 2)}
      ${area('dry-run-input', 'Onboarding input (JSON, optional)', input, setInput, 2)}
      <div class="actions"><button type="submit">Run dry run</button></div>
    </form>
    <${ErrorSummary} errors=${errors} />
    ${result
      ? html`<div class="result" role="status" aria-live="polite">
          <p class=${`outcome outcome-${result.status}`}><strong>${result.status}</strong> — ${OUTCOME[result.status] ?? ''}</p>
          ${result.code || result.message ? html`<p>Code <code>${result.code ?? ''}</code>: ${result.message ?? ''}</p>` : null}
          ${result.reason ? html`<p>Reason <code>${result.reason}</code>; missing: ${(result.missing ?? []).join(', ') || 'nothing'}</p>` : null}
          ${result.diff ? html`<${DiffTable} title="User" diff=${result.diff.user} /><${DiffTable} title="Registration" diff=${result.diff.registration} />` : null}
          <${Logs} logs=${result.logs} />
          <${JsonView} label="Resulting user" value=${result.user} />
        </div>`
      : null}
  </section>`;
}
