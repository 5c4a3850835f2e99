/**
 * One lambda call in a context of its own: created for the call, holding nothing but the language,
 * a `console` and the call's arguments, and disposed after it. The lambda's code runs as a script
 * there, exactly as written; the reference for what a call may observe (see hardened-realm.ts).
 */
import type { QuickJSRuntime } from 'quickjs-emscripten-core';
import { caughtRun, disposeAll, failureOf, thrownRun } from './call-failure.js';
import type { CallRun } from './call-failure.js';
import type { LambdaLimits, WorkerRequest, WorkerResult } from './lambda-types.js';
import { CallScope, SandboxApi, newCallState } from './sandbox-api.js';

/**
 * The intrinsics a reconcile lambda gets: the language core, Date, RegExp, JSON, Map/Set and
 * String.prototype.normalize. Left out: Promise (lambdas are synchronous), Proxy, typed arrays,
 * BigInt and the like; they are of no use to a reconcile and creating them doubled the cost of
 * a fresh context (measured 0.23 → 0.12 ms).
 */
export const INTRINSICS = { BaseObjects: true, Date: true, Eval: true, StringNormalize: true, RegExp: true, JSON: true, MapSet: true } as const;
/** Evaluated after the lambda: its reconcile function, declared with `function`, `const` or `let`. */
const FIND_RECONCILE = 'typeof reconcile === "function" ? reconcile : undefined';

export const MISSING_FUNCTION = 'The lambda defines no function reconcile.';

/**
 * `reconcile(user, registration, jwt, context)` in a fresh context of `rt`. `startBudget` is
 * called when the lambda's code starts. Handles are disposed on every path, then the context.
 */
export function callInFreshContext(rt: QuickJSRuntime, request: WorkerRequest, limits: LambdaLimits, startBudget: () => void): CallRun {
  const vm = rt.newContext({ intrinsics: INTRINSICS });
  const state = newCallState(request);
  const scope = new CallScope(vm, state.logs, limits);
  let api: SandboxApi | undefined;
  let run: CallRun;
  const done = (result: WorkerResult): CallRun => ({ result, healthy: true, retire: false });
  try {
    api = new SandboxApi(vm, limits);
    api.state = state;
    const args = api.arguments(scope, request);
    // The lambda's code, then its function: the budget counts from here.
    startBudget();
    scope.unwrap(vm.evalCode(request.body, 'lambda.js'));
    // `function reconcile` is a property of the global object; `const`/`let` need a lookup by name.
    const declared = scope.keep(vm.getProp(vm.global, 'reconcile'));
    const fn = vm.typeof(declared) === 'function' ? declared : scope.unwrap(vm.evalCode(FIND_RECONCILE, 'gatehouse.js'));
    if (vm.typeof(fn) !== 'function') {
      run = done({ status: 'failed', code: 'LAMBDA_FUNCTION_MISSING', message: MISSING_FUNCTION, logs: state.logs });
    } else if (request.checkOnly) {
      run = done({ status: 'completed', user: '{}', registration: '{}', logs: state.logs });
    } else {
      const result = vm.callFunction(fn, vm.undefined, ...args);
      let error: unknown;
      if (result.error) error = scope.thrown(result.error);
      else scope.keep(result.value);
      // Throwing after reject or requireOnboarding is a way to leave; the outcome stands.
      run = result.error && state.outcome.status === 'completed' ? thrownRun(failureOf(error, state.logs, limits)) : done(api.result(scope, args[0], args[1]));
    }
  } catch (error) {
    run = caughtRun(error, state.logs, limits);
  }
  // Handles first, then the context: a runtime is only ever freed with no context left in it.
  const clean = scope.dispose() && (api?.dispose() ?? true) && disposeAll([vm]);
  return clean ? run : { ...run, retire: true };
}
