/**
 * A QuickJS context kept for the calls of one lambda body, made so that no call can leave anything
 * behind for the next: creating a fresh context was about 60 % of a call's CPU and compiling the
 * lambda another 20 % (bench/lambda-call-cost.ts), and this pays both once per realm.
 *
 * Threat model: a lambda is hostile and wants to carry data from one call (one user's login) into
 * a later one, or change what a later call computes. A fresh context per call rules that out by
 * construction; a realm rules it out as follows, before any lambda code runs in it:
 * - every object reachable from the global object (prototypes, constructors, namespaces, getters
 *   and setters, the console and the outcome functions) and the intrinsics reachable only through
 *   syntax (generator and iterator prototypes, arguments objects; without Promise, async functions
 *   have no prototype) are frozen, the global object included: nothing reachable at the start of a
 *   call can hold a value written by another;
 * - `Math.random` is the host's: QuickJS's generator state lives in the context and is not frozen;
 * - the body must compile as a script on its own and is then wrapped in a strict arrow function
 *   `(() => { body; return reconcile })`, called once per call: its declarations (`var`, `let`,
 *   `function`) are that call's alone, and since the body is a complete script it cannot close the
 *   wrapper early to declare anything at the realm's top level;
 * - the wrapper is frozen, `eval` and `Function` code sees the frozen global object (indirect eval's
 *   `let` stays in its own scope, its `var` cannot be added), the Symbol registry holds no values
 *   and already spans the runtime's contexts, as before;
 * - a call that times out or runs out of memory discards the realm (and the runtime, as before);
 *   out of memory is also seen at the WebAssembly memory cap when the lambda catches it.
 * What differs from a fresh context is what the lambda itself may do: writing to a builtin or the
 * global object fails, the body is strict, and its top-level `var`s are not properties of
 * `globalThis`. Most such code throws (a TypeError or ReferenceError in strict mode); any call that
 * throws runs again in a fresh context, whose result is the call's, and a body whose two results
 * differ runs only in fresh contexts on that worker from then on. Not caught: code that swallows
 * such an error, sloppy `eval`/`Function` code whose write fails silently, and code reading its own
 * `var`s from `globalThis` — it computes differently, but still sees nothing of another call.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import { CallFailed, caughtRun, disposeAll, exhausted, failureOf, isAbort, thrownRun } from './call-failure.js';
import type { CallRun } from './call-failure.js';
import { INTRINSICS, MISSING_FUNCTION } from './fresh-context-call.js';
import type { LambdaLimits, WorkerRequest, WorkerResult } from './lambda-types.js';
import { CallScope, SandboxApi, newCallState } from './sandbox-api.js';

/** Freezes everything reachable from the global object, the hidden intrinsics and its arguments. */
const HARDEN = `(function (...extra) {
  const { getPrototypeOf, getOwnPropertyDescriptor, freeze } = Object;
  const ownKeys = Reflect.ownKeys;
  const todo = [globalThis, ...extra, function* () {}, (function* () {})(),
    [][Symbol.iterator](), ''[Symbol.iterator](), new Map().entries(), new Set().values(), /(?:)/g[Symbol.matchAll](''), (function () { return arguments; })()];
  if (typeof Iterator === 'function' && typeof Iterator.from === 'function') todo.push([].values().map((x) => x), Iterator.from({ next() { return { done: true }; } }));
  const seen = new Set();
  while (todo.length > 0) {
    const value = todo.pop();
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
    seen.add(value);
    todo.push(getPrototypeOf(value));
    for (const key of ownKeys(value)) {
      const property = getOwnPropertyDescriptor(value, key);
      todo.push(property.value, property.get, property.set);
    }
  }
  seen.forEach(freeze);
  return seen.size;
})`;

const wrapped = (body: string) => `(() => { "use strict";\n${body}\n;return typeof reconcile === "function" ? reconcile : undefined; })`;

/** A realm for a body, or why there is none: the body does not fit one, or the runtime is suspect. */
export type RealmCreation = { realm: HardenedRealm } | { unsuitable: true } | { retire: true };

/** A call in a realm; `tentative` instead of a result means: run it in a fresh context, compare. */
export type RealmRun = CallRun | { tentative: WorkerResult };

export class HardenedRealm {
  private constructor(
    private readonly vm: QuickJSContext,
    private readonly api: SandboxApi,
    private readonly factory: QuickJSHandle,
    private readonly limits: LambdaLimits,
  ) {}

  static create(rt: QuickJSRuntime, body: string, limits: LambdaLimits): RealmCreation {
    const vm = rt.newContext({ intrinsics: INTRINSICS });
    const scope = new CallScope(vm, [], limits);
    let api: SandboxApi | undefined;
    let factory: QuickJSHandle | undefined;
    let creation: RealmCreation;
    try {
      api = new SandboxApi(vm, limits);
      const math = scope.keep(vm.getProp(vm.global, 'Math'));
      vm.setProp(math, 'random', scope.keep(vm.newFunction('random', () => vm.newNumber(Math.random()))));
      api.call(scope, scope.unwrap(vm.evalCode(HARDEN, 'gatehouse.js', { type: 'global' })), ...api.outcomeFunctions);
      // A complete script on its own: then the wrapper ends where it was written to.
      scope.unwrap(vm.evalCode(body, 'lambda.js', { type: 'global', compileOnly: true }));
      const made = vm.evalCode(wrapped(body), 'lambda.js', { type: 'global' });
      if (made.error) throw new CallFailed(failureOf(scope.thrown(made.error), [], limits));
      factory = made.value;
      api.freeze(scope, factory);
      creation = { realm: new HardenedRealm(vm, api, factory, limits) };
    } catch (error) {
      const broken = isAbort(error) || (error instanceof CallFailed && exhausted(error.failure));
      creation = broken ? { retire: true } : { unsuitable: true };
    }
    const clean = scope.dispose();
    if ('realm' in creation && clean) return creation;
    const disposed = disposeAll(factory ? [factory] : []) && (api?.dispose() ?? true) && disposeAll([vm]);
    return clean && disposed && !('retire' in creation) ? { unsuitable: true } : { retire: true };
  }

  /** One call; `startBudget` is called when the lambda's code starts. */
  run(request: WorkerRequest, startBudget: () => void): RealmRun {
    const vm = this.vm;
    const state = newCallState(request);
    this.api.state = state;
    const scope = new CallScope(vm, state.logs, this.limits);
    let run: RealmRun;
    try {
      const args = this.api.arguments(scope, request);
      startBudget();
      const made = vm.callFunction(this.factory, vm.undefined);
      const fn = made.error ? undefined : scope.keep(made.value);
      const result = fn && vm.typeof(fn) === 'function' ? vm.callFunction(fn, vm.undefined, ...args) : undefined;
      const thrown = made.error ?? result?.error;
      if (result && !result.error) {
        scope.keep(result.value);
        run = { result: this.api.result(scope, args[0], args[1]), healthy: true, retire: false };
      } else if (thrown) {
        const failure = failureOf(scope.thrown(thrown), state.logs, this.limits);
        const decided = result?.error && state.outcome.status !== 'completed';
        run = exhausted(failure) ? thrownRun(failure) : { tentative: decided ? this.api.result(scope, args[0], args[1]) : failure };
      } else {
        run = { tentative: { status: 'failed', code: 'LAMBDA_FUNCTION_MISSING', message: MISSING_FUNCTION, logs: state.logs } };
      }
    } catch (error) {
      const caught = caughtRun(error, state.logs, this.limits);
      run = caught.healthy ? { tentative: caught.result } : caught;
    }
    if (scope.dispose()) return run;
    return { result: 'result' in run ? run.result : run.tentative, healthy: false, retire: true };
  }

  /** Frees the realm's handles and context; false if that failed (the runtime is then suspect). */
  dispose(): boolean {
    return disposeAll([this.factory]) && this.api.dispose() && disposeAll([this.vm]);
  }
}
