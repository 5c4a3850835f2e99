/**
 * Worker thread running reconcile lambdas in QuickJS (WebAssembly). A lambda's calls run in a
 * hardened realm kept for its body (hardened-realm.ts: frozen, so no call leaves anything for the
 * next), else in a fresh context per call (fresh-context-call.ts), both in a runtime replaced
 * after a failure or every thousand calls. A deadline, a stack limit and a hard cap on the
 * WebAssembly memory bound each call. QuickJS's own memory limit misses incremental growth of
 * arrays and strings (measured: 200 MB past a 16 MB limit), so growth of the WebAssembly memory
 * itself is refused past the cap: the allocation fails and QuickJS raises "out of memory".
 *
 * Handles are disposed on every path, then the context; only then may the runtime be freed, as
 * JS_FreeRuntime asserts `list_empty(&rt->gc_obj_list)` and aborts the module on a live object:
 * the realms of a runtime are disposed before it. Runtimes QuickJS may have leaked into are never
 * freed: after out of memory, or after code with `import(` (a failing dynamic import leaks
 * without Promise; measured; such bodies always run in fresh contexts). The worker drops the
 * runtime and retires, and the host starts a fresh one; so does a worker whose module aborted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import type { QuickJSRuntime, QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { CallRun } from './call-failure.js';
import { ExecutionBudget } from './execution-budget.js';
import { callInFreshContext } from './fresh-context-call.js';
import { HardenedRealm } from './hardened-realm.js';
import { currentThreadId, threadCpuClock } from './thread-cpu.js';
import type { CallContext, LambdaLimits, WorkerCall, WorkerMessage, WorkerRequest, WorkerResult } from './lambda-types.js';

const limits = (workerData as { limits: LambdaLimits }).limits;

// Installed before the module is instantiated below, so every growth of its memory passes here.
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(delta: number): number;
}
const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly;
const grow = Memory.prototype.grow;
/** The cap refused growth during the call: out of memory, even if the lambda caught it. */
let memoryRefused = false;
Memory.prototype.grow = function capped(this: WasmMemory, delta: number): number {
  if (this.buffer.byteLength + delta * 65536 > limits.memoryCapBytes) {
    memoryRefused = true;
    throw new RangeError('lambda memory cap reached');
  }
  return grow.call(this, delta);
};

// The package's types describe its CommonJS entry; the ESM entry's default export is the variant.
const QuickJS = await newQuickJSWASMModuleFromVariant(variant as unknown as QuickJSSyncVariant);

/** A runtime serves this many calls, then is replaced (with its realms). */
const RUNTIME_CALLS = 1000;
/** Realms kept per runtime, one per lambda body, the least recently used dropped first. */
const MAX_REALMS = 4;
/** Bodies remembered as running only in fresh contexts (a realm changed their result, or cannot hold them). */
const MAX_FRESH_ONLY = 100;
const DYNAMIC_IMPORT = /\bimport\s*\(/;

const budget = new ExecutionBudget(limits.timeoutMs);
const startBudget = () => budget.start();
let runtime: QuickJSRuntime | undefined;
let runtimeCalls = 0;
/** Set when this worker must answer and exit: its module is suspect. */
let retire = false;
/** The runtime ran code that may call `import(...)`, whose failure leaks: it must never be freed. */
let tainted = false;
/** The realms of the current runtime, by body, in the order of their last use. */
const realms = new Map<string, HardenedRealm>();
const freshOnly = new Set<string>();

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

/** Disposes a realm; if that fails, the runtime is suspect and the worker retires. */
function dropRealm(body: string): void {
  const realm = realms.get(body);
  realms.delete(body);
  if (realm && !realm.dispose()) retire = true;
}

/** Frees the runtime, its realms first; if that aborts, the worker retires. */
function discardRuntime(): void {
  for (const body of [...realms.keys()]) dropRealm(body);
  const old = runtime;
  runtime = undefined;
  try {
    if (!retire) old?.dispose();
  } catch {
    retire = true;
  }
}

function runFreshOnly(body: string): void {
  freshOnly.delete(body);
  freshOnly.add(body);
  if (freshOnly.size > MAX_FRESH_ONLY) freshOnly.delete(freshOnly.values().next().value as string);
  dropRealm(body);
}

/** The body's realm in `rt`, created on first use; undefined if the body must run fresh. */
function realmFor(rt: QuickJSRuntime, body: string): { realm: HardenedRealm; reused: boolean } | undefined {
  const kept = realms.get(body);
  if (kept) {
    realms.delete(body);
    realms.set(body, kept);
    return { realm: kept, reused: true };
  }
  const creation = HardenedRealm.create(rt, body, limits);
  if ('retire' in creation) retire = true;
  if (!('realm' in creation)) {
    runFreshOnly(body);
    return undefined;
  }
  realms.set(body, creation.realm);
  if (realms.size > MAX_REALMS) dropRealm(realms.keys().next().value as string);
  return { realm: creation.realm, reused: false };
}

/**
 * A call in the body's realm. One that threw runs again in a fresh context (sharing the call's
 * budget), whose result is the call's; if the two differ, the realm changed what the lambda
 * computes and the body runs fresh from then on.
 */
function callInRealm(rt: QuickJSRuntime, request: WorkerRequest): { run: CallRun; context: CallContext } {
  const found = realmFor(rt, request.body);
  if (!found || retire) return { run: callInFreshContext(rt, request, limits, startBudget), context: 'fresh' };
  const run = found.realm.run(request, startBudget);
  const context = found.reused ? 'reused-realm' : 'new-realm';
  if (!('tentative' in run)) {
    if (!run.healthy || run.retire || memoryRefused) dropRealm(request.body);
    return { run, context };
  }
  const reference = callInFreshContext(rt, request, limits, () => undefined);
  if (JSON.stringify(reference.result) !== JSON.stringify(run.tentative)) runFreshOnly(request.body);
  return { run: reference, context: 'fresh' };
}

function reconcile(request: WorkerRequest): { result: WorkerResult; context: CallContext } {
  const rt = freshRuntime();
  runtimeCalls += 1;
  const imports = DYNAMIC_IMPORT.test(request.body);
  if (imports) tainted = true;
  memoryRefused = false;
  let call: { run: CallRun; context: CallContext };
  try {
    call = imports || request.checkOnly || freshOnly.has(request.body) ? { run: callInFreshContext(rt, request, limits, startBudget), context: 'fresh' } : callInRealm(rt, request);
  } finally {
    budget.stop();
  }
  const { run } = call;
  if (run.retire || memoryRefused) retire = true;
  const done = !run.healthy || runtimeCalls >= RUNTIME_CALLS;
  if (retire || (tainted && done)) {
    // Never freed: neither the runtime nor its realms.
    retire = true;
    realms.clear();
    runtime = undefined;
  } else if (done) {
    discardRuntime();
  }
  return { result: run.result, context: call.context };
}

/** This thread's CPU clock: read here, after each call, so the host's event loop never reads it per call. */
const ownCpu = threadCpuClock();

parentPort!.on('message', (message: WorkerCall) => {
  const { result, context } = reconcile(message.request);
  const cpuMs = ownCpu?.read();
  if (!retire) {
    parentPort!.postMessage({ type: 'result', id: message.id, result, context, cpuMs } satisfies WorkerMessage);
    return;
  }
  parentPort!.postMessage({ type: 'result', id: message.id, result, context, cpuMs, retire: true } satisfies WorkerMessage);
  parentPort!.close();
});
parentPort!.postMessage({ type: 'ready', tid: currentThreadId(), cpuMs: ownCpu?.read() } satisfies WorkerMessage);
