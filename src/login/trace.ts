import type { EventLog } from '../events/event-log.js';
import type { ExternalJwtIdentityProvider } from '../store/records.js';
import { ReconcileError } from './reconcile-error.js';

/** One line of a login's trace: the verifier's checks, the link decision, the lambda, the result. */
export interface TraceStep {
  title: string;
  success: boolean;
  detail: string;
}

/** With the provider's `debug` on, each login writes its step trace as a Debug event (no token, no claim values). */
export async function writeTrace(eventLog: EventLog, provider: ExternalJwtIdentityProvider, steps: TraceStep[]): Promise<void> {
  if (!provider.debug) return;
  const lines = steps.map((s) => `${s.success ? 'ok  ' : 'FAIL'} ${s.title}: ${s.detail}`);
  await eventLog.write('Debug', `Reconcile trace for identity provider ${provider.name} (${provider.id}):\n${lines.join('\n')}`);
}

/** The failed result of a login, as the last step of its trace (only for the login's own refusals). */
export function traceRefusal(steps: TraceStep[], error: unknown): void {
  if (error instanceof ReconcileError) steps.push({ title: 'Result', success: false, detail: `${error.publicCode} ${error.message}` });
}
