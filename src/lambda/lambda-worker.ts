/**
 * Worker thread running reconcile lambdas in QuickJS (WebAssembly): a fresh runtime and context
 * per call, no host objects but a console, a deadline, a stack limit and a hard cap on the
 * WebAssembly memory. QuickJS's own memory limit misses incremental growth of arrays and
 * strings (measured: 200 MB past a 16 MB limit), so growth of the WebAssembly memory itself is
 * refused past the cap: the allocation fails and QuickJS raises "out of memory".
 */
import { parentPort, workerData } from 'node:worker_threads';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, shouldInterruptAfterDeadline } from 'quickjs-emscripten-core';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { LambdaLimits, LambdaLog, ReconcileRequest, ReconcileResult } from './lambda-types.js';

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

/** Installs a frozen `console` over a host log function, which is then removed from the global. */
const PRELUDE = `(() => {
  const log = globalThis.__gatehouseLog;
  delete globalThis.__gatehouseLog;
  const text = (args) => args.map((a) => { if (typeof a === 'string') return a; try { return JSON.stringify(a); } catch (e) { return String(a); } }).join(' ');
  globalThis.console = Object.freeze({
    log: (...a) => log('info', text(a)), info: (...a) => log('info', text(a)), warn: (...a) => log('info', text(a)),
    error: (...a) => log('error', text(a)), debug: (...a) => log('debug', text(a)),
  });
})();`;

/**
 * Calls reconcile with the user and registration (mutable), the jwt (deep-frozen) and a context
 * whose reject/requireOnboarding record the outcome; returns everything as one JSON string.
 */
const INVOKE = `(() => {
  if (typeof reconcile !== 'function') return JSON.stringify({ missing: true });
  const input = JSON.parse(globalThis.__gatehouseInput);
  delete globalThis.__gatehouseInput;
  const freeze = (value) => { if (value && typeof value === 'object') { Object.freeze(value); for (const key of Object.keys(value)) freeze(value[key]); } return value; };
  const outcome = { status: 'completed' };
  const context = Object.freeze({
    input: freeze(input.input === undefined ? null : input.input),
    reject(code, message) { outcome.status = 'rejected'; outcome.code = String(code); outcome.message = message === undefined ? '' : String(message); },
    requireOnboarding(reason, details) {
      outcome.status = 'onboarding'; outcome.reason = String(reason);
      outcome.missing = details && Array.isArray(details.missing) ? details.missing.map(String) : [];
    },
  });
  try {
    reconcile(input.user, input.registration, freeze(input.jwt), context);
  } catch (error) {
    if (outcome.status === 'completed') throw error;
  }
  return JSON.stringify({ outcome, user: input.user, registration: input.registration });
})()`;

/** Check-only: the body evaluated; is there a reconcile function? Returns the same shape. */
const CHECK = `JSON.stringify(typeof reconcile === 'function' ? { outcome: { status: 'completed' }, user: {}, registration: {} } : { missing: true })`;

type Failure = Extract<ReconcileResult, { status: 'failed' }>;

function failureOf(error: unknown, logs: LambdaLog[]): Failure {
  const e = (error ?? {}) as { name?: string; message?: string };
  if (error === null || error === undefined || e.message === 'out of memory') return { status: 'failed', code: 'LAMBDA_OUT_OF_MEMORY', message: 'The lambda ran out of memory.', logs };
  if (e.message === 'interrupted') return { status: 'failed', code: 'LAMBDA_TIMEOUT', message: `The lambda did not finish within ${limits.timeoutMs} ms.`, logs };
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`.slice(0, limits.maxLogLength);
  return { status: 'failed', code: e.name === 'SyntaxError' ? 'LAMBDA_SYNTAX_ERROR' : 'LAMBDA_THREW', message, logs };
}

function reconcile(request: ReconcileRequest): ReconcileResult {
  const logs: LambdaLog[] = [];
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(limits.heapLimitBytes);
  runtime.setMaxStackSize(limits.stackLimitBytes);
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + limits.timeoutMs));
  const vm = runtime.newContext();
  try {
    const log = vm.newFunction('__gatehouseLog', (levelHandle, messageHandle) => {
      const level = vm.getString(levelHandle) as LambdaLog['level'];
      if ((level !== 'debug' || request.debug) && logs.length < limits.maxLogEntries) {
        logs.push({ level, message: vm.getString(messageHandle).slice(0, limits.maxLogLength) });
      }
    });
    vm.setProp(vm.global, '__gatehouseLog', log);
    log.dispose();
    const input = vm.newString(JSON.stringify({ user: request.user, registration: request.registration, jwt: request.jwt, input: request.input }));
    vm.setProp(vm.global, '__gatehouseInput', input);
    input.dispose();

    for (const [code, file] of [[PRELUDE, 'prelude.js'], [request.body, 'lambda.js']] as const) {
      const result = vm.evalCode(code, file);
      if (result.error) {
        const error = vm.dump(result.error);
        result.error.dispose();
        return failureOf(error, logs);
      }
      result.value.dispose();
    }
    const result = vm.evalCode(request.checkOnly ? CHECK : INVOKE, 'invoke.js');
    if (result.error) {
      const error = vm.dump(result.error);
      result.error.dispose();
      return failureOf(error, logs);
    }
    const output = vm.getString(result.value);
    result.value.dispose();
    if (output.length > limits.maxOutputBytes) return { status: 'failed', code: 'LAMBDA_BAD_OUTPUT', message: 'The lambda produced too large a user or registration.', logs };
    const parsed = JSON.parse(output) as { missing?: boolean; outcome: Record<string, unknown>; user: Record<string, unknown>; registration: Record<string, unknown> };
    if (parsed.missing) return { status: 'failed', code: 'LAMBDA_FUNCTION_MISSING', message: 'The lambda defines no function reconcile.', logs };
    const { outcome } = parsed;
    if (outcome.status === 'rejected') return { status: 'rejected', code: outcome.code as string, message: outcome.message as string, logs };
    if (outcome.status === 'onboarding') return { status: 'onboarding', reason: outcome.reason as string, missing: outcome.missing as string[], logs };
    const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isObject(parsed.user) || !isObject(parsed.registration)) return { status: 'failed', code: 'LAMBDA_BAD_OUTPUT', message: 'user and registration must stay objects.', logs };
    return { status: 'completed', user: parsed.user, registration: parsed.registration, logs };
  } catch (error) {
    return failureOf(error, logs);
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

parentPort!.on('message', (message: { id: number; request: ReconcileRequest }) => {
  parentPort!.postMessage({ id: message.id, result: reconcile(message.request) });
});
