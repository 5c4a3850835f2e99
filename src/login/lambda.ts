import type { ConfigurationCache } from '../identity/configuration-cache.js';
import { PROFILE_FIELDS } from '../identity/user-rules.js';
import type { EventLog } from '../events/event-log.js';
import type { LambdaRunner } from '../lambda/lambda-runner.js';
import type { LambdaLog, MissingEntry } from '../lambda/lambda-types.js';
import { isPlainObject } from '../lib/base64url.js';
import type { Application, JsonObject, Lambda, User } from '../store/records.js';
import type { TenantRegistration } from '../store/repositories/registration-repository.js';
import type { LoginSubject, TraceStep } from './login-types.js';
import type { LoginDraft } from './map.js';
import { boundedOnboarding, boundedReject } from './lambda-verdict-limits.js';
import { OnboardingFieldError, parseOnboardingFields } from './onboarding-fields.js';
import { ReconcileError } from './reconcile-error.js';

export interface LambdaStageDeps {
  configuration: ConfigurationCache;
  lambdas: LambdaRunner;
  eventLog: EventLog;
}

/** The lambda's verdict: the user and registration to save, or an onboarding to hold. */
export type LambdaVerdict =
  | { kind: 'completed'; user: User; registration: TenantRegistration | undefined }
  | { kind: 'onboarding'; reason: string; missing: MissingEntry[] };

/**
 * Runs the provider's reconcile lambda on the drafted user and registration (none for an
 * anonymous user, or without a lambda: the draft stands). `context.reject` and a failing lambda
 * are ReconcileErrors (the failure also an Error event); `context.requireOnboarding` is an
 * onboarding verdict. The lambda's console output goes to the event log and to `logs`.
 */
export async function runReconcileLambda(
  deps: LambdaStageDeps,
  subject: LoginSubject,
  draft: LoginDraft,
  anonymous: boolean,
  steps: TraceStep[],
  logs: LambdaLog[],
): Promise<LambdaVerdict> {
  const { provider, application, identity } = subject;
  const { user, registration } = draft;
  const lambdaId = provider.lambdaConfiguration.reconcileId;
  if (!lambdaId || anonymous) return { kind: 'completed', user, registration };
  const lambda = await deps.configuration.lambda(lambdaId);
  if (!lambda) throw new ReconcileError('LambdaInvocation', `The reconcile lambda ${lambdaId} of this identity provider does not exist.`, { lambdaId });
  const result = await deps.lambdas.reconcile({
    body: lambda.body,
    user: lambdaView(user),
    registration: registration ? lambdaRegistrationView(registration) : {},
    jwt: identity.claims,
    ...(subject.input ? { input: subject.input } : {}),
    debug: lambda.debug,
  });
  logs.push(...result.logs);
  await writeLambdaLogs(deps.eventLog, lambda, result.logs);
  if (result.status === 'failed') {
    await deps.eventLog.write('Error', `Reconcile lambda ${lambda.name} (${lambda.id}) failed for identity provider ${provider.name}: ${result.code}: ${result.message}`);
    steps.push({ title: 'Lambda', success: false, detail: `${lambda.name}: ${result.code}: ${result.message}` });
    throw new ReconcileError('LambdaInvocation', `The reconcile lambda ${lambda.name} (${lambda.id}) failed: ${result.message}`, { lambdaId: lambda.id, lambdaName: lambda.name, reason: result.code });
  }
  if (result.status === 'rejected') {
    const { code, message } = boundedReject(result.code, result.message);
    steps.push({ title: 'Lambda', success: false, detail: `${lambda.name} rejected the login: ${code}.` });
    throw new ReconcileError('LambdaRejected', message, { lambdaId: lambda.id, reason: 'LambdaRejected' }, code);
  }
  if (result.status === 'onboarding') {
    const { reason, missing } = boundedOnboarding(result.reason, result.missing);
    try {
      parseOnboardingFields(missing);
    } catch (error) {
      if (!(error instanceof OnboardingFieldError)) throw error;
      steps.push({ title: 'Lambda', success: false, detail: `${lambda.name}: LAMBDA_BAD_OUTPUT: ${error.message}` });
      throw new ReconcileError('LambdaInvocation', `The reconcile lambda ${lambda.name} (${lambda.id}) described an onboarding field Gatehouse cannot show: ${error.message}`, { lambdaId: lambda.id, lambdaName: lambda.name, reason: 'LAMBDA_BAD_OUTPUT' });
    }
    steps.push({ title: 'Lambda', success: true, detail: `${lambda.name} requires onboarding: ${reason}.` });
    return { kind: 'onboarding', reason, missing };
  }
  steps.push({ title: 'Lambda', success: true, detail: `${lambda.name} completed.` });
  return {
    kind: 'completed',
    user: mergeLambdaUser(user, result.user, draft.existing !== undefined),
    registration: registration ? mergeLambdaRegistration(registration, result.registration, application!) : undefined,
  };
}

async function writeLambdaLogs(eventLog: EventLog, lambda: Lambda, logs: LambdaLog[]): Promise<void> {
  const type = { info: 'Information', error: 'Error', debug: 'Debug' } as const;
  for (const log of logs) await eventLog.write(type[log.level], `Lambda ${lambda.name} (${lambda.id}): ${log.message}`);
}

/** The user as the lambda sees it: FusionAuth's user object without registrations (copied by postMessage). */
const lambdaView = (user: User): JsonObject => user as unknown as JsonObject;
const lambdaRegistrationView = ({ tenantId: _t, ...registration }: TenantRegistration): JsonObject => registration as unknown as JsonObject;

/**
 * Takes what a lambda may change: profile fields, `preferredLanguages`, `data`, and — only for a
 * user not linked or matched yet — `email` and `username`. Identifiers and state stay as they were.
 */
export function mergeLambdaUser(user: User, changed: JsonObject, immutableIdentifiers: boolean): User {
  const merged: User = { ...user };
  for (const field of PROFILE_FIELDS) {
    const value = changed[field];
    if (typeof value === 'string' && value !== '') merged[field] = value;
    else delete merged[field];
  }
  if (Array.isArray(changed.preferredLanguages)) merged.preferredLanguages = changed.preferredLanguages.filter((l): l is string => typeof l === 'string');
  merged.data = isPlainObject(changed.data) ? changed.data : {};
  if (!immutableIdentifiers) {
    for (const field of ['email', 'username'] as const) {
      const value = changed[field];
      if (typeof value === 'string' && value.trim() !== '') merged[field] = value.trim();
      else delete merged[field];
    }
  }
  return merged;
}

/** Takes the lambda's registration `data`, `roles` (only roles the application has) and `username`. */
export function mergeLambdaRegistration(registration: TenantRegistration, changed: JsonObject, application: Application): TenantRegistration {
  const merged: TenantRegistration = { ...registration, data: isPlainObject(changed.data) ? changed.data : {} };
  if (Array.isArray(changed.roles)) {
    const roles = [...new Set(changed.roles.filter((r): r is string => typeof r === 'string'))];
    const known = new Set(application.roles.map((r) => r.name));
    const unknown = roles.filter((r) => !known.has(r));
    if (unknown.length > 0) throw new ReconcileError('InvalidUser', `The reconcile lambda gave roles the application does not have: ${unknown.join(', ')}.`, { field: 'registration.roles' });
    merged.roles = roles;
  }
  if (typeof changed.username === 'string' && changed.username !== '') merged.username = changed.username;
  return merged;
}
