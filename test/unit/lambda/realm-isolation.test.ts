import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LambdaRunner } from '../../../src/lambda/lambda-runner.js';
import { DEFAULT_LAMBDA_LIMITS } from '../../../src/lambda/lambda-types.js';
import type { CallContext, ReconcileRequest, ReconcileResult } from '../../../src/lambda/lambda-types.js';

/**
 * A lambda's calls reuse a hardened realm (src/lambda/hardened-realm.ts). Every channel below is
 * written by one call and read by the next call of the SAME body on the only worker, and the
 * runner's statistics prove that the second call ran in the realm the first one used: a hostile
 * lambda that swallows the errors of its writes must still find nothing of the call before.
 */
const request = (body: string, jwt: Record<string, unknown> = { sub: 'x', amr: ['pwd'] }): ReconcileRequest => ({ body, user: {}, registration: {}, jwt, debug: false });
const completed = (result: ReconcileResult) => {
  assert.equal(result.status, 'completed', JSON.stringify(result));
  return (result as Extract<ReconcileResult, { status: 'completed' }>).user;
};

/** [name, what the next call reads (must be the pristine value), what a call writes]. */
const CHANNELS: [string, string, string][] = [
  ['a property of the global object', 'typeof globalThis.leak', 'globalThis.leak = 1'],
  ['an implicit global', 'typeof implicitLeak', 'implicitLeak = 1'],
  ['a global defined with defineProperty', 'typeof definedLeak', 'Object.defineProperty(globalThis, "definedLeak", { value: 1, configurable: true })'],
  ['this at the top level', 'typeof topLevelThis.leak', 'topLevelThis.leak = 1'],
  ['Object.prototype', 'typeof ({}).polluted', 'Object.prototype.polluted = "yes"'],
  ['a symbol-keyed property of Object.prototype', 'typeof ({})[Symbol.for("leak")]', 'Object.prototype[Symbol.for("leak")] = 1'],
  ['a replaced builtin method', 'Array.prototype.push.name', 'Array.prototype.push = function evil() {}'],
  ['a closure stashed on a builtin function', 'typeof Math.max.stash', 'Math.max.stash = () => user'],
  ['a property of a namespace object', 'typeof JSON.stash', 'Object.defineProperty(JSON, "stash", { value: user })'],
  ['a replaced global binding', 'typeof JSON.parse', 'JSON = { parse: 1 }'],
  ['the global object\'s prototype', 'typeof globalThis.stash', 'Object.setPrototypeOf(globalThis, { stash: 1 })'],
  ['an error hook on Error', 'typeof Error.prepareStackTrace + typeof Error.stackTraceLimit', 'Error.prepareStackTrace = () => user; Error.stackTraceLimit = 0'],
  ['Error.prototype', 'Error.prototype.name', 'Error.prototype.name = "leak"'],
  ['the generator prototype (reachable only through syntax)', 'typeof Object.getPrototypeOf(function* () {}).stash', 'Object.getPrototypeOf(function* () {}).stash = user'],
  ['the iterator prototype', 'typeof Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).stash', 'Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).stash = user'],
  ['the array iterator prototype', 'typeof Object.getPrototypeOf([].values()).stash', 'Object.getPrototypeOf([].values()).stash = user'],
  ['the console', 'typeof console.stash + typeof console.log.stash', 'console.stash = user; console.log.stash = user'],
  ['the context functions', 'typeof context.reject.stash + typeof context.requireOnboarding.stash', 'context.reject.stash = user; context.requireOnboarding.stash = user'],
  ['a var of indirect eval', 'typeof evalVar', '(0, eval)("var evalVar = 1")'],
  ['a let of indirect eval', '(0, eval)("typeof evalLet")', '(0, eval)("let evalLet = 1")'],
  ['a global made by sloppy Function code', 'typeof functionLeak', 'Function("functionLeak = 1")()'],
  ['Function.prototype', 'typeof Function.prototype.stash', 'Function.prototype.stash = user'],
];

const channelLambda = (read: string, write: string) => `const topLevelThis = this;
function reconcile(user, registration, jwt, context) {
  user.seen = String(${read});
  try { ${write}; } catch (e) { user.writeFailed = e.name; }
}`;

describe('lambda realms: a reused realm carries nothing from one call to the next', () => {
  // One worker: every call of a body meets the realm of the call before, unless it was discarded.
  const runner = new LambdaRunner(DEFAULT_LAMBDA_LIMITS, 1);
  after(() => runner.close());
  const contexts = () => runner.stats().contexts;
  /** Runs the request and says where it ran, from the change in the runner's statistics. */
  const where = async (call: ReconcileRequest): Promise<[ReconcileResult, CallContext]> => {
    const before = contexts();
    const result = await runner.reconcile(call);
    const after = contexts();
    const ran = (Object.keys(after) as CallContext[]).filter((kind) => after[kind] !== before[kind]);
    assert.equal(ran.length, 1);
    return [result, ran[0]];
  };

  for (const [name, read, write] of CHANNELS) {
    it(`through ${name}`, async () => {
      const body = channelLambda(read, write);
      const [first, firstContext] = await where(request(body));
      assert.equal(firstContext, 'new-realm');
      const pristine = completed(first).seen;
      const [second, secondContext] = await where(request(body));
      assert.equal(secondContext, 'reused-realm', 'the second call must run in the realm of the first');
      assert.equal(completed(second).seen, pristine, `${name}: the second call saw what the first wrote`);
    });
  }

  it('gives each call its own top-level scope of the body', async () => {
    const body = 'let calls = 0; var stash = []; function reconcile(user) { calls += 1; stash.push(1); user.calls = calls; user.stashed = stash.length; }';
    for (const expected of ['new-realm', 'reused-realm', 'reused-realm']) {
      const [result, context] = await where(request(body));
      assert.equal(context, expected);
      assert.deepEqual(completed(result), { calls: 1, stashed: 1 });
    }
  });

  it('cannot close the wrapper around the body to declare anything at the realm\'s top level', async () => {
    const escapes = ['function reconcile(user) { user.n = stash.push(1); } }); let stash = []; ((() => {', 'function reconcile(user) {} })(); let stash = []; (() => {'];
    for (const body of escapes) {
      const result = await runner.reconcile(request(body));
      assert.equal(result.status === 'failed' && result.code, 'LAMBDA_SYNTAX_ERROR', JSON.stringify(result));
    }
  });

  it('runs a lambda whose writes to builtins throw in a fresh context, with a fresh context\'s result', async () => {
    const body = 'Object.prototype.polluted = "yes"; function reconcile(user) { user.polluted = ({}).polluted; }';
    const [first, firstContext] = await where(request(body));
    assert.equal(firstContext, 'fresh');
    assert.equal(completed(first).polluted, 'yes');
    // Its realm gave another result: the body now runs in fresh contexts only.
    const [second, secondContext] = await where(request(body));
    assert.equal(secondContext, 'fresh');
    assert.equal(completed(second).polluted, 'yes');
  });

  it('keeps a lambda that throws the same in both in its realm', async () => {
    const body = 'function reconcile(user, registration, jwt) { if (jwt.sub === "bad") throw new TypeError("bad subject"); user.ok = true; }';
    assert.equal((await where(request(body)))[1], 'new-realm');
    const [failed, failedContext] = await where(request(body, { sub: 'bad' }));
    assert.equal(failedContext, 'fresh');
    assert.equal(failed.status === 'failed' && failed.message, 'TypeError: bad subject');
    const [result, context] = await where(request(body));
    assert.equal(context, 'reused-realm');
    assert.equal(completed(result).ok, true);
  });

  it('discards a realm whose call timed out', async () => {
    const quick = new LambdaRunner({ ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 50 }, 1);
    try {
      const body = 'function reconcile(user, registration, jwt) { if (jwt.sub === "loop") while (true) {} user.ok = true; }';
      const kinds: string[] = [];
      for (const sub of ['a', 'b', 'loop', 'c', 'd']) {
        const before = quick.stats().contexts;
        const result = await quick.reconcile(request(body, { sub }));
        const after = quick.stats().contexts;
        kinds.push(`${result.status === 'failed' ? result.code : result.status} ${(Object.keys(after) as CallContext[]).find((kind) => after[kind] !== before[kind]) ?? 'killed'}`);
      }
      assert.deepEqual(kinds, ['completed new-realm', 'completed reused-realm', 'LAMBDA_TIMEOUT reused-realm', 'completed new-realm', 'completed reused-realm']);
    } finally {
      await quick.close();
    }
  });

  it('discards a realm whose call ran out of memory, even when the lambda caught it', async () => {
    const roomy = new LambdaRunner({ ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 60_000, watchdogGraceMs: 60_000 }, 1);
    try {
      const body = 'function reconcile(user, registration, jwt) { if (jwt.sub === "bomb") { try { const a = []; while (true) a.push("x".repeat(100000) + a.length); } catch (e) { user.caught = true; } } user.ok = true; }';
      const kinds: string[] = [];
      for (const sub of ['a', 'b', 'bomb', 'c']) {
        const before = roomy.stats().contexts;
        const result = await roomy.reconcile(request(body, { sub }));
        const after = roomy.stats().contexts;
        kinds.push(`${result.status} ${(Object.keys(after) as CallContext[]).find((kind) => after[kind] !== before[kind])}`);
      }
      assert.deepEqual(kinds, ['completed new-realm', 'completed reused-realm', 'completed reused-realm', 'completed new-realm']);
      assert.equal(roomy.stats().started, 2, 'the worker that ran out of memory was replaced');
    } finally {
      await roomy.close();
    }
  });
});
