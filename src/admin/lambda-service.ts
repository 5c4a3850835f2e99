import { ApiError, FieldErrors } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import type { Clock } from '../lib/clock.js';
import { isUuid, newId } from '../lib/ids.js';
import type { JsonObject, Lambda } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { LambdaRunner } from '../lambda/lambda-runner.js';
import type { LambdaLog, MissingEntry, ReconcileResult } from '../lambda/lambda-types.js';

/** What a lambda is created or replaced from (FusionAuth's lambda object). */
export interface LambdaInput {
  id?: string;
  name?: string;
  type?: string;
  body?: string;
  debug?: boolean;
  enabled?: boolean;
  engineType?: string;
}

/** A dry run: claims, and optionally the user, registration and onboarding input to start from. */
export interface LambdaTestInput {
  jwt?: JsonObject;
  user?: JsonObject;
  registration?: JsonObject;
  input?: JsonObject;
  debug?: boolean;
}

const TYPES = ['ExternalJWTReconcile'] as const;
const MAX_BODY = 65_536;

export interface LambdaTestResult {
  status: ReconcileResult['status'];
  user?: JsonObject;
  registration?: JsonObject;
  /** Top-level fields the lambda changed, with their values before and after. */
  diff?: { user: Record<string, { before: unknown; after: unknown }>; registration: Record<string, { before: unknown; after: unknown }> };
  code?: string;
  message?: string;
  reason?: string;
  missing?: MissingEntry[];
  logs: LambdaLog[];
}

/**
 * Lambdas (FusionAuth `/api/lambda`): stored code for the sandbox. A body must compile and define
 * its function before it is saved; `POST /api/lambda/{id}/test` runs it on given claims and
 * persists nothing (a gap of FusionAuth, where lambdas can only be tried in a live login).
 */
export class LambdaService {
  constructor(
    private readonly store: Store,
    private readonly runner: LambdaRunner,
    private readonly clock: Clock,
    /** Called after every write (clears the login path's configuration cache). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  list(type?: string): Promise<Lambda[]> {
    return this.store.lambdas.list(type);
  }

  async get(id: string): Promise<Lambda> {
    const lambda = await this.store.lambdas.findById(id);
    if (!lambda) throw ApiError.notFound();
    return lambda;
  }

  /** `GET|POST /api/lambda/search`: substring match on body, name and type. */
  async search(criteria: JsonObject): Promise<{ lambdas: Lambda[]; total: number }> {
    const contains = (value: string, wanted: unknown) => typeof wanted !== 'string' || wanted === '' || value.toLowerCase().includes(wanted.toLowerCase());
    const lambdas = (await this.store.lambdas.list()).filter((l) => contains(l.body, criteria.body) && contains(l.name, criteria.name) && contains(l.type, criteria.type));
    return { lambdas, total: lambdas.length };
  }

  async create(lambdaInput: LambdaInput, id?: string): Promise<Lambda> {
    const input = lambdaInput as JsonObject;
    const lambda = this.build(input, id ?? (typeof input.id === 'string' ? input.id : newId()));
    await this.validate(lambda);
    if (await this.store.lambdas.findById(lambda.id)) throw ApiError.field(400, 'lambda.id', 'duplicate', 'A lambda with this id exists.');
    await this.store.lambdas.insert(lambda);
    this.onChange();
    return lambda;
  }

  /** Replaces the lambda (PUT; a PATCH arrives here merged); its type never changes. */
  async update(id: string, lambdaInput: LambdaInput): Promise<Lambda> {
    const existing = await this.get(id);
    const input = lambdaInput as JsonObject;
    if (input.type !== undefined && input.type !== existing.type) {
      throw ApiError.field(400, 'lambda.type', 'notAllowed', 'The type of a lambda cannot change.');
    }
    const merged = { ...input, type: existing.type };
    const lambda = this.build(merged, id, existing);
    await this.validate(lambda);
    await this.store.lambdas.update(lambda);
    this.onChange();
    return lambda;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.lambdas.delete(id);
    this.onChange();
  }

  /** Dry run on the given claims, user and registration; nothing is stored. */
  async test(id: string, testInput: LambdaTestInput): Promise<LambdaTestResult> {
    const lambda = await this.get(id);
    const input = testInput as JsonObject;
    const errors = new FieldErrors();
    if (!isPlainObject(input.jwt)) errors.add('jwt', 'missing', 'Give the decoded claims of an external JWT as [jwt].');
    for (const name of ['user', 'registration', 'input'] as const) {
      if (input[name] !== undefined && !isPlainObject(input[name])) errors.add(name, 'invalid', `[${name}] is an object.`);
    }
    errors.throwIfAny();
    const user = (input.user as JsonObject | undefined) ?? {};
    const registration = (input.registration as JsonObject | undefined) ?? {};
    const result = await this.runner.reconcile({
      body: lambda.body,
      user,
      registration,
      jwt: input.jwt as JsonObject,
      ...(isPlainObject(input.input) ? { input: input.input } : {}),
      debug: input.debug === true || lambda.debug,
    });
    if (result.status === 'completed') {
      return { status: 'completed', user: result.user, registration: result.registration, diff: { user: diff(user, result.user), registration: diff(registration, result.registration) }, logs: result.logs };
    }
    if (result.status === 'rejected') return { status: 'rejected', code: result.code, message: result.message, logs: result.logs };
    if (result.status === 'onboarding') return { status: 'onboarding', reason: result.reason, missing: result.missing, logs: result.logs };
    return { status: 'failed', code: result.code, message: result.message, logs: result.logs };
  }

  private build(input: JsonObject, id: string, existing?: Lambda): Lambda {
    const now = this.clock.now();
    return {
      id,
      name: typeof input.name === 'string' ? input.name.trim() : '',
      type: input.type as Lambda['type'],
      body: typeof input.body === 'string' ? input.body : '',
      debug: input.debug === true,
      enabled: input.enabled !== false,
      engineType: typeof input.engineType === 'string' ? input.engineType : 'GraalJS',
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  }

  private async validate(lambda: Lambda): Promise<void> {
    const errors = new FieldErrors();
    if (!isUuid(lambda.id)) errors.add('lambda.id', 'invalid', 'The lambda id must be a UUID.');
    if (!lambda.name) errors.add('lambda.name', 'blank', 'You must specify the [lambda.name] property.');
    if (!(TYPES as readonly string[]).includes(lambda.type)) errors.add('lambda.type', 'invalid', `Supported types: ${TYPES.join(', ')}.`);
    if (!lambda.body) errors.add('lambda.body', 'blank', 'You must specify the [lambda.body] property.');
    if (lambda.body.length > MAX_BODY) errors.add('lambda.body', 'tooLong', `At most ${MAX_BODY} characters.`);
    errors.throwIfAny();
    const check = await this.runner.reconcile({ body: lambda.body, user: {}, registration: {}, jwt: {}, debug: false, checkOnly: true });
    if (check.status === 'failed') errors.add('lambda.body', 'invalid', `${check.code}: ${check.message}`);
    errors.throwIfAny();
  }
}

function diff(before: JsonObject, after: JsonObject): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { before: before[key] ?? null, after: after[key] ?? null };
  }
  return changes;
}
