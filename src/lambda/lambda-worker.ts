/**
 * Worker thread running reconcile lambdas in QuickJS (WebAssembly). Each call gets a fresh
 * context (in a runtime replaced after a failure or every thousand calls) holding nothing but
 * the language, a `console` and the call's arguments; a deadline, a stack limit and a hard cap
 * on the WebAssembly memory bound it. QuickJS's own memory limit misses incremental growth of
 * arrays and strings (measured: 200 MB past a 16 MB limit), so growth of the WebAssembly memory
 * itself is refused past the cap: the allocation fails and QuickJS raises "out of memory".
 *
 * Handles are disposed on every path, then the context; only then may the runtime be freed, as
 * JS_FreeRuntime asserts `list_empty(&rt->gc_obj_list)` and aborts the module on a live object.
 * Runtimes QuickJS may have leaked into are never freed: after out of memory, or after code with
 * `import(` (a failing dynamic import leaks without Promise; measured). The worker drops the
 * runtime and retires, and the host starts a fresh one; so does a worker whose module aborted.
 *
 * The console and the context's `reject` / `requireOnboarding` are host functions, and the
 * builtins the call needs (JSON, Object.freeze) are taken before the lambda's code runs, so
 * top-level code that replaces `JSON` or `Object.freeze` cannot unfreeze the jwt or forge an
 * outcome. No JavaScript prelude is parsed per call: compiling 2 KB cost 0.2 ms (measured).
 */
import { parentPort, workerData } from 'node:worker_threads';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { ExecutionBudget } from './execution-budget.js';
import { currentThreadId } from './thread-cpu.js';
import { missingEntry } from './missing-entry.js';
import type { FreezeShape, LambdaLimits, LambdaLog, MissingEntry, WorkerCall, WorkerMessage, WorkerRequest, WorkerResult } from './lambda-types.js';

const limits = (workerData as { limits: LambdaLimits }).limits;

// Installed before the module is instantiated below, so every growth of its memory passes here.
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(delta: number): number;
}
const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly;
const grow = Memory.prototype.grow;
Memory.prototype.grow = function capped(this: WasmMemory, delta: number): number {
  if (this.buffer.byteLength + delta * 65536 > limits.memoryCapBytes) throw new RangeError('lambda memory cap reached');
  return grow.call(this, delta);
};

// The package's types describe its CommonJS entry; the ESM entry's default export is the variant.
const QuickJS = await newQuickJSWASMModuleFromVariant(variant as unknown as QuickJSSyncVariant);

/**
 * The intrinsics a reconcile lambda gets: the language core, Date, RegExp, JSON, Map/Set and
 * String.prototype.normalize. Left out: Promise (lambdas are synchronous), Proxy, typed arrays,
 * BigInt and the like; they are of no use to a reconcile and creating them doubled the cost of
 * a fresh context (measured 0.23 → 0.12 ms).
 */
const INTRINSICS = { BaseObjects: true, Date: true, Eval: true, StringNormalize: true, RegExp: true, JSON: true, MapSet: true } as const;
/** A runtime serves this many calls (each in a fresh context), then is replaced. */
const RUNTIME_CALLS = 1000;
/** Evaluated after the lambda: its reconcile function, declared with `function`, `const` or `let`. */
const FIND_RECONCILE = 'typeof reconcile === "function" ? reconcile : undefined';

type Failure = Extract<WorkerResult, { status: 'failed' }>;
type Outcome = { status: 'completed' } | { status: 'rejected'; code: string; message: string } | { status: 'onboarding'; reason: string; missing: MissingEntry[] };

function failureOf(error: unknown, logs: LambdaLog[]): Failure {
  const e = (error ?? {}) as { name?: string; message?: string };
  if (error === null || error === undefined || e.message === 'out of memory') return { status: 'failed', code: 'LAMBDA_OUT_OF_MEMORY', message: 'The lambda ran out of memory.', logs };
  if (e.message === 'interrupted') return { status: 'failed', code: 'LAMBDA_TIMEOUT', message: `The lambda did not finish within ${limits.timeoutMs} ms.`, logs };
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`.slice(0, limits.maxLogLength);
  return { status: 'failed', code: e.name === 'SyntaxError' ? 'LAMBDA_SYNTAX_ERROR' : 'LAMBDA_THREW', message, logs };
}

/** The module aborted (emscripten `Aborted(...)`): nothing in it can be trusted any more. */
const isAbort = (error: unknown): boolean => error instanceof Error && (error.message.startsWith('Aborted(') || error.name === 'RuntimeError');

const budget = new ExecutionBudget(limits.timeoutMs);
let runtime: QuickJSRuntime | undefined;
let runtimeCalls = 0;
/** Set when this worker must answer and exit: its module is suspect. */
let retire = false;
/** The runtime ran code that may call `import(...)`, whose failure leaks: it must never be freed. */
let tainted = false;
const DYNAMIC_IMPORT = /\bimport\s*\(/;

function freshRuntime(): QuickJSRuntime {
  if (runtime && runtimeCalls < RUNTIME_CALLS) return runtime;
  discardRuntime();
  runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(limits.heapLimitBytes);
  runtime.setMaxStackSize(limits.stackLimitBytes);
  runtime.setInterruptHandler(budget.shouldInterrupt);
  runtimeCalls = 0;
  tainted = false;
  return runtime;
}

/** Frees the runtime (its contexts are all disposed by then); if that aborts, the worker retires. */
function discardRuntime(): void {
  const old = runtime;
  runtime = undefined;
  try {
    old?.dispose();
  } catch {
    retire = true;
  }
}

/** Disposes what is alive, each on its own, so one failure leaves nothing else alive. */
function disposeAll(handles: { alive: boolean; dispose(): void }[]): boolean {
  let clean = true;
  for (const handle of handles) {
    try {
      if (handle.alive) handle.dispose();
    } catch {
      clean = false;
    }
  }
  return clean;
}

/** Thrown inside the call to leave it with a failure already described. */
class CallFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/**
 * One call: `reconcile(user, registration, jwt, context)` with user and registration mutable,
 * jwt and `context.input` deep-frozen, and `context.reject(code, message)` /
 * `context.requireOnboarding(reason, {missing})` recording the outcome.
 */
function reconcile(request: WorkerRequest): WorkerResult {
  const logs: LambdaLog[] = [];
  const rt = freshRuntime();
  runtimeCalls += 1;
  if (DYNAMIC_IMPORT.test(request.body)) tainted = true;
  budget.stop();
  const vm = rt.newContext({ intrinsics: INTRINSICS });
  const handles: QuickJSHandle[] = [];
  const keep = (handle: QuickJSHandle) => (handles.push(handle), handle);
  /** The thrown value, read while its handle is kept (dump may run lambda code, or fail). */
  const thrown = (error: QuickJSHandle): unknown => vm.dump(keep(error));
  const unwrap = (result: ReturnType<QuickJSContext['evalCode']>): QuickJSHandle => {
    if (result.error) throw new CallFailed(failureOf(thrown(result.error), logs));
    return keep(result.value);
  };
  let healthy = false;
  try {
    // Builtins, taken before any lambda code runs.
    const json = keep(vm.getProp(vm.global, 'JSON'));
    const parse = keep(vm.getProp(json, 'parse'));
    const stringify = keep(vm.getProp(json, 'stringify'));
    const objectConstructor = keep(vm.getProp(vm.global, 'Object'));
    const freezeFn = keep(vm.getProp(objectConstructor, 'freeze'));
    const call = (fn: QuickJSHandle, ...args: QuickJSHandle[]) => unwrap(vm.callFunction(fn, vm.undefined, ...args));
    const freeze = (handle: QuickJSHandle) => call(freezeFn, handle);
    /**
     * Deep freeze driven from the host: `shape` lists the value's nested objects and arrays, so
     * only those are visited (no JavaScript compiled per call for it).
     */
    const deepFreeze = (handle: QuickJSHandle, shape: FreezeShape | null): QuickJSHandle => {
      if (shape === null) return handle;
      for (const [key, nested] of Object.entries(shape)) deepFreeze(keep(vm.getProp(handle, key)), nested);
      freeze(handle);
      return handle;
    };
    const text = (value: QuickJSHandle): string => {
      if (vm.typeof(value) === 'string') return vm.getString(value);
      const result = vm.callFunction(stringify, vm.undefined, value);
      if (result.error) {
        result.error.dispose();
        return '[unprintable]';
      }
      try {
        return vm.typeof(result.value) === 'string' ? vm.getString(result.value) : String(vm.dump(result.value));
      } finally {
        if (result.value.alive) result.value.dispose();
      }
    };

    const consoleObject = keep(vm.newObject());
    for (const [name, level] of [['log', 'info'], ['info', 'info'], ['warn', 'info'], ['error', 'error'], ['debug', 'debug']] as const) {
      const fn = vm.newFunction(name, (...args) => {
        if ((level !== 'debug' || request.debug) && logs.length < limits.maxLogEntries) {
          logs.push({ level, message: args.map(text).join(' ').slice(0, limits.maxLogLength) });
        }
      });
      vm.setProp(consoleObject, name, fn);
      fn.dispose();
    }
    freeze(consoleObject);
    vm.setProp(vm.global, 'console', consoleObject);

    let outcome: Outcome = { status: 'completed' };
    const data = call(parse, keep(vm.newString(request.data)));
    const user = keep(vm.getProp(data, 'user'));
    const registration = keep(vm.getProp(data, 'registration'));
    const jwt = deepFreeze(keep(vm.getProp(data, 'jwt')), request.frozen.jwt);
    const context = keep(vm.newObject());
    vm.setProp(context, 'input', deepFreeze(keep(vm.getProp(data, 'input')), request.frozen.input));
    const reject = vm.newFunction('reject', (code, message) => {
      outcome = { status: 'rejected', code: code === undefined ? '' : text(code), message: message === undefined || vm.typeof(message) === 'undefined' ? '' : text(message) };
    });
    vm.setProp(context, 'reject', reject);
    reject.dispose();
    const requireOnboarding = vm.newFunction('requireOnboarding', (reason, details) => {
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
      outcome = { status: 'onboarding', reason: reason === undefined ? '' : text(reason), missing };
    });
    vm.setProp(context, 'requireOnboarding', requireOnboarding);
    requireOnboarding.dispose();
    freeze(context);

    // The lambda's code, then its function: the budget counts from here.
    budget.start();
    unwrap(vm.evalCode(request.body, 'lambda.js'));
    // `function reconcile` is a property of the global object; `const`/`let` need a lookup by name.
    const declared = keep(vm.getProp(vm.global, 'reconcile'));
    const fn = vm.typeof(declared) === 'function' ? declared : unwrap(vm.evalCode(FIND_RECONCILE, 'gatehouse.js'));
    if (vm.typeof(fn) !== 'function') {
      healthy = true;
      return { status: 'failed', code: 'LAMBDA_FUNCTION_MISSING', message: 'The lambda defines no function reconcile.', logs };
    }
    if (request.checkOnly) {
      healthy = true;
      return { status: 'completed', user: '{}', registration: '{}', logs };
    }
    const result = vm.callFunction(fn, vm.undefined, user, registration, jwt, context);
    if (result.error) {
      const error = thrown(result.error);
      // Throwing after reject or requireOnboarding is a way to leave; the outcome stands.
      if (outcome.status === 'completed') {
        const failure = failureOf(error, logs);
        healthy = failure.code !== 'LAMBDA_OUT_OF_MEMORY' && failure.code !== 'LAMBDA_TIMEOUT';
        if (failure.code === 'LAMBDA_OUT_OF_MEMORY') retire = true;
        return failure;
      }
    } else {
      keep(result.value);
    }
    healthy = true;
    const final = outcome as Outcome;
    if (final.status !== 'completed') return { ...final, logs };
    /** The value as JSON text; the runner parses it and checks that it is an object. */
    const output = (value: QuickJSHandle): string | undefined => {
      if (vm.typeof(value) !== 'object') return undefined;
      const printed = call(stringify, value);
      if (vm.typeof(printed) !== 'string') return undefined;
      const textValue = vm.getString(printed);
      if (textValue.length > limits.maxOutputBytes) throw new CallFailed({ status: 'failed', code: 'LAMBDA_BAD_OUTPUT', message: 'The lambda produced too large a user or registration.', logs });
      return textValue;
    };
    const userOut = output(user);
    const registrationOut = output(registration);
    if (!userOut || !registrationOut) return { status: 'failed', code: 'LAMBDA_BAD_OUTPUT', message: 'user and registration must stay objects.', logs };
    return { status: 'completed', user: userOut, registration: registrationOut, logs };
  } catch (error) {
    if (error instanceof CallFailed) {
      healthy = error.failure.code !== 'LAMBDA_OUT_OF_MEMORY' && error.failure.code !== 'LAMBDA_TIMEOUT';
      if (error.failure.code === 'LAMBDA_OUT_OF_MEMORY') retire = true;
      return error.failure;
    }
    if (isAbort(error)) {
      retire = true;
      return { status: 'failed', code: 'LAMBDA_CRASHED', message: 'The lambda sandbox failed.', logs };
    }
    const failure = failureOf(error, logs);
    if (failure.code === 'LAMBDA_OUT_OF_MEMORY') retire = true;
    return failure;
  } finally {
    budget.stop();
    // Handles first, then the context: a runtime is only ever freed with no context left in it.
    const clean = disposeAll(handles) && disposeAll([vm]);
    const done = !healthy || runtimeCalls >= RUNTIME_CALLS;
    if (!clean || retire || (tainted && done)) {
      retire = true;
      runtime = undefined;
    } else if (done) {
      discardRuntime();
    }
  }
}

parentPort!.on('message', (message: WorkerCall) => {
  const result = reconcile(message.request);
  if (!retire) {
    parentPort!.postMessage({ type: 'result', id: message.id, result } satisfies WorkerMessage);
    return;
  }
  parentPort!.postMessage({ type: 'result', id: message.id, result, retire: true } satisfies WorkerMessage);
  parentPort!.close();
});
parentPort!.postMessage({ type: 'ready', tid: currentThreadId() } satisfies WorkerMessage);
