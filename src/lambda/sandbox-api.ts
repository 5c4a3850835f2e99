/**
 * What Gatehouse puts into a lambda's QuickJS context, and how it reads a call back out: the
 * builtins the host relies on (JSON, Object.freeze), taken before any lambda code runs so that
 * code replacing `JSON` or `Object.freeze` can neither unfreeze the jwt nor forge an outcome; a
 * frozen `console`; the `context.reject` / `context.requireOnboarding` host functions; the call's
 * arguments; its result. The host functions write to `state`, which the caller sets per call, so
 * one SandboxApi serves one call (fresh context) or every call of a reused realm alike.
 */
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import { CallFailed, disposeAll, failureOf } from './call-failure.js';
import { missingEntry } from './missing-entry.js';
import type { FreezeShape, LambdaLimits, LambdaLog, MissingEntry, WorkerRequest, WorkerResult } from './lambda-types.js';

export type Outcome = { status: 'completed' } | { status: 'rejected'; code: string; message: string } | { status: 'onboarding'; reason: string; missing: MissingEntry[] };

/** One call's state, written by the console and the outcome functions. */
export interface CallState {
  logs: LambdaLog[];
  debug: boolean;
  outcome: Outcome;
}

export const newCallState = (request: WorkerRequest): CallState => ({ logs: [], debug: request.debug, outcome: { status: 'completed' } });

/** The handles of one call, disposed together when it ends. */
export class CallScope {
  readonly handles: QuickJSHandle[] = [];

  constructor(
    readonly vm: QuickJSContext,
    readonly logs: LambdaLog[],
    private readonly limits: LambdaLimits,
  ) {}

  readonly keep = (handle: QuickJSHandle): QuickJSHandle => (this.handles.push(handle), handle);

  /** The thrown value, read while its handle is kept (dump may run lambda code, or fail). */
  thrown(error: QuickJSHandle): unknown {
    return this.vm.dump(this.keep(error));
  }

  unwrap(result: ReturnType<QuickJSContext['evalCode']>): QuickJSHandle {
    if (result.error) throw new CallFailed(failureOf(this.thrown(result.error), this.logs, this.limits));
    return this.keep(result.value);
  }

  dispose(): boolean {
    return disposeAll(this.handles);
  }
}

export class SandboxApi {
  /** The call the host functions belong to now. */
  state: CallState = { logs: [], debug: false, outcome: { status: 'completed' } };
  /** `context.reject` and `context.requireOnboarding` (a reused realm freezes them). */
  readonly outcomeFunctions: QuickJSHandle[];
  private readonly own: QuickJSHandle[] = [];
  private readonly parse: QuickJSHandle;
  private readonly stringify: QuickJSHandle;
  private readonly freezeFn: QuickJSHandle;

  constructor(
    private readonly vm: QuickJSContext,
    private readonly limits: LambdaLimits,
  ) {
    const hold = (handle: QuickJSHandle) => (this.own.push(handle), handle);
    const json = hold(vm.getProp(vm.global, 'JSON'));
    this.parse = hold(vm.getProp(json, 'parse'));
    this.stringify = hold(vm.getProp(json, 'stringify'));
    this.freezeFn = hold(vm.getProp(hold(vm.getProp(vm.global, 'Object')), 'freeze'));

    const consoleObject = hold(vm.newObject());
    for (const [name, level] of [['log', 'info'], ['info', 'info'], ['warn', 'info'], ['error', 'error'], ['debug', 'debug']] as const) {
      const fn = vm.newFunction(name, (...args) => {
        const { logs, debug } = this.state;
        if ((level !== 'debug' || debug) && logs.length < limits.maxLogEntries) {
          logs.push({ level, message: args.map((arg) => this.text(arg)).join(' ').slice(0, limits.maxLogLength) });
        }
      });
      vm.setProp(consoleObject, name, fn);
      fn.dispose();
    }
    this.freezeOwn(consoleObject);
    vm.setProp(vm.global, 'console', consoleObject);

    const text = (value: QuickJSHandle) => this.text(value);
    const reject = hold(vm.newFunction('reject', (code, message) => {
      this.state.outcome = { status: 'rejected', code: code === undefined ? '' : text(code), message: message === undefined || vm.typeof(message) === 'undefined' ? '' : text(message) };
    }));
    const requireOnboarding = hold(vm.newFunction('requireOnboarding', (reason, details) => {
      let missing: MissingEntry[] = [];
      if (details !== undefined && vm.typeof(details) === 'object') {
        const listed = vm.getProp(details, 'missing');
        let dumped: unknown;
        try {
          dumped = vm.typeof(listed) === 'object' ? vm.dump(listed) : undefined;
        } finally {
          if (listed.alive) listed.dispose();
        }
        if (Array.isArray(dumped)) missing = dumped.slice(0, 100).map(missingEntry);
      }
      this.state.outcome = { status: 'onboarding', reason: reason === undefined ? '' : text(reason), missing };
    }));
    this.outcomeFunctions = [reject, requireOnboarding];
  }

  /** A value as log text: strings as they are, anything else as JSON. */
  text(value: QuickJSHandle): string {
    const vm = this.vm;
    if (vm.typeof(value) === 'string') return vm.getString(value);
    const result = vm.callFunction(this.stringify, vm.undefined, value);
    if (result.error) {
      result.error.dispose();
      return '[unprintable]';
    }
    try {
      return vm.typeof(result.value) === 'string' ? vm.getString(result.value) : String(vm.dump(result.value));
    } finally {
      if (result.value.alive) result.value.dispose();
    }
  }

  call(scope: CallScope, fn: QuickJSHandle, ...args: QuickJSHandle[]): QuickJSHandle {
    return scope.unwrap(this.vm.callFunction(fn, this.vm.undefined, ...args));
  }

  freeze(scope: CallScope, handle: QuickJSHandle): QuickJSHandle {
    return this.call(scope, this.freezeFn, handle);
  }

  /**
   * The call's arguments `user, registration, jwt, context`: user and registration mutable, jwt
   * and `context.input` deep-frozen, driven from the host (`shape` lists the nested objects and
   * arrays, so only those are visited and no JavaScript is compiled per call for it).
   */
  arguments(scope: CallScope, request: WorkerRequest): QuickJSHandle[] {
    const vm = this.vm;
    const keep = scope.keep;
    const deepFreeze = (handle: QuickJSHandle, shape: FreezeShape | null): QuickJSHandle => {
      if (shape === null) return handle;
      for (const [key, nested] of Object.entries(shape)) deepFreeze(keep(vm.getProp(handle, key)), nested);
      this.freeze(scope, handle);
      return handle;
    };
    const data = this.call(scope, this.parse, keep(vm.newString(request.data)));
    const user = keep(vm.getProp(data, 'user'));
    const registration = keep(vm.getProp(data, 'registration'));
    const jwt = deepFreeze(keep(vm.getProp(data, 'jwt')), request.frozen.jwt);
    const context = keep(vm.newObject());
    vm.setProp(context, 'input', deepFreeze(keep(vm.getProp(data, 'input')), request.frozen.input));
    const [reject, requireOnboarding] = this.outcomeFunctions;
    vm.setProp(context, 'reject', reject);
    vm.setProp(context, 'requireOnboarding', requireOnboarding);
    this.freeze(scope, context);
    return [user, registration, jwt, context];
  }

  /** The call's result once its function returned (or threw after deciding the outcome). */
  result(scope: CallScope, user: QuickJSHandle, registration: QuickJSHandle): WorkerResult {
    const { logs, outcome } = this.state;
    if (outcome.status !== 'completed') return { ...outcome, logs };
    /** The value as JSON text; the runner parses it and checks that it is an object. */
    const output = (value: QuickJSHandle): string | undefined => {
      if (this.vm.typeof(value) !== 'object') return undefined;
      const printed = this.call(scope, this.stringify, value);
      if (this.vm.typeof(printed) !== 'string') return undefined;
      const textValue = this.vm.getString(printed);
      if (textValue.length > this.limits.maxOutputBytes) throw new CallFailed({ status: 'failed', code: 'LAMBDA_BAD_OUTPUT', message: 'The lambda produced too large a user or registration.', logs });
      return textValue;
    };
    const userOut = output(user);
    const registrationOut = output(registration);
    if (!userOut || !registrationOut) return { status: 'failed', code: 'LAMBDA_BAD_OUTPUT', message: 'user and registration must stay objects.', logs };
    return { status: 'completed', user: userOut, registration: registrationOut, logs };
  }

  dispose(): boolean {
    return disposeAll(this.own);
  }

  private freezeOwn(handle: QuickJSHandle): void {
    const result = this.vm.callFunction(this.freezeFn, this.vm.undefined, handle);
    (result.error ?? result.value).dispose();
  }
}
