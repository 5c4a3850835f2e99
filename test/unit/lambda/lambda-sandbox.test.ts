import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LambdaRunner } from '../../../src/lambda/lambda-runner.js';
import { DEFAULT_LAMBDA_LIMITS } from '../../../src/lambda/lambda-types.js';
import type { ReconcileRequest, ReconcileResult } from '../../../src/lambda/lambda-types.js';

const MIMOTO_JWT = {
  iss: 'https://mimoto-test.pie.azuma-health.tech/',
  sub: 'b0f3c0de-5a2e-4c51-9a7e-3f1c2d4e5f60',
  'urn:telematik:claims:id': 'X110411675',
  'urn:telematik:claims:email': 'darius_michael@mail.boedefeld.de',
  'ext-mimoto-original-sub-unique': 'X110411675-3e0a9c1b7f',
  amr: ['urn:telematik:auth:eGK'],
};

const request = (body: string, extra: Partial<ReconcileRequest> = {}): ReconcileRequest => ({ body, user: {}, registration: {}, jwt: MIMOTO_JWT, debug: false, ...extra });
const failed = (result: ReconcileResult) => {
  assert.equal(result.status, 'failed', JSON.stringify(result));
  return result as Extract<ReconcileResult, { status: 'failed' }>;
};

describe('reconcile lambda sandbox (QuickJS in a worker)', () => {
  const runner = new LambdaRunner();
  after(() => runner.close());

  it('runs the mimoto reconcile lambda of the FusionAuth integration guide', async () => {
    const body = `function reconcile(user, registration, jwt) {
      console.info("jwt");
      user.email = jwt["urn:telematik:claims:email"];
      user.data = { kvnr: jwt["urn:telematik:claims:id"] };
      user.username = jwt["ext-mimoto-original-sub-unique"];
      registration.data = { amr: jwt.amr };
      console.info(JSON.stringify(user, null, 2));
    }`;
    const result = await runner.reconcile(request(body));
    assert.equal(result.status, 'completed', JSON.stringify(result));
    if (result.status !== 'completed') return;
    assert.deepEqual(result.user, { email: 'darius_michael@mail.boedefeld.de', data: { kvnr: 'X110411675' }, username: 'X110411675-3e0a9c1b7f' });
    assert.deepEqual(result.registration, { data: { amr: ['urn:telematik:auth:eGK'] } });
    assert.equal(result.logs.length, 2);
    assert.equal(result.logs[0].level, 'info');
  });

  it('has no process, require, fetch, timers or module loading', async () => {
    for (const name of ['process', 'require', 'fetch', 'setTimeout', 'setInterval', 'std', 'os', 'Deno', 'Bun']) {
      const result = failed(await runner.reconcile(request(`function reconcile(user) { user.x = ${name}.toString(); }`)));
      assert.equal(result.code, 'LAMBDA_THREW');
      assert.match(result.message, new RegExp(`ReferenceError: '${name}' is not defined`));
    }
    const imported = failed(await runner.reconcile(request(`import fs from 'fs'; function reconcile() {}`)));
    assert.ok(['LAMBDA_SYNTAX_ERROR', 'LAMBDA_THREW'].includes(imported.code), imported.code);
    assert.match(imported.message, /fs|module|import/i);
    const dynamic = await runner.reconcile(request(`function reconcile(user) { import('fs').then(() => { user.loaded = true; }); }`));
    assert.equal(dynamic.status === 'completed' && 'loaded' in dynamic.user, false);
  });

  it('gives every call a fresh context: globals changed in one call are not seen in the next', async () => {
    const body = `var counter = (globalThis.counter || 0) + 1; Object.prototype.polluted = 'yes';
      function reconcile(user) { user.counter = counter; user.polluted = ({}).polluted; user.globalFromBefore = typeof globalThis.leaked; globalThis.leaked = 1; }`;
    for (let i = 0; i < 2; i++) {
      const result = await runner.reconcile(request(body));
      assert.equal(result.status, 'completed');
      if (result.status === 'completed') assert.deepEqual(result.user, { counter: 1, polluted: 'yes', globalFromBefore: 'undefined' });
    }
  });

  it('stops an infinite loop with a clear error, and keeps working', async () => {
    const result = failed(await runner.reconcile(request('function reconcile() { while (true) {} }')));
    assert.equal(result.code, 'LAMBDA_TIMEOUT');
    assert.match(result.message, /did not finish within 500 ms/);
    assert.equal((await runner.reconcile(request('function reconcile(user) { user.ok = true; }'))).status, 'completed');
    // Typed arrays are not in a lambda's intrinsics at all.
    const buffer = failed(await runner.reconcile(request('function reconcile() { new ArrayBuffer(1024 * 1024 * 1024); }')));
    assert.match(buffer.message, /ArrayBuffer/);
  });

  it('contains memory bombs (strings, arrays, objects, one huge buffer), and keeps working', async () => {
    // A budget no bomb can reach on however loaded a machine: only memory may stop them.
    const roomy = new LambdaRunner({ ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 60_000, watchdogGraceMs: 60_000 });
    after(() => roomy.close());
    const bombs = [
      'const a = []; while (true) { a.push("x".repeat(100000) + a.length); }',
      'const a = []; while (true) { a.push(new Array(10000).fill(1)); }',
      'const a = []; while (true) { a.push({ n: a.length, list: [1, 2, 3] }); }',
      'const s = "x".repeat(200 * 1024 * 1024);',
    ];
    for (const bomb of bombs) {
      const result = failed(await roomy.reconcile(request(`function reconcile() { ${bomb} }`)));
      assert.equal(result.code, 'LAMBDA_OUT_OF_MEMORY', bomb);
    }
    assert.equal((await roomy.reconcile(request('function reconcile(user) { user.ok = true; }'))).status, 'completed');
  });

  it('contains deep recursion', async () => {
    const result = failed(await runner.reconcile(request('function f() { return f() + 1; } function reconcile() { f(); }')));
    assert.equal(result.code, 'LAMBDA_THREW');
    assert.match(result.message, /stack overflow/);
  });

  it('pipelines calls: those queued behind a lambda that had to be killed run on a fresh worker', async () => {
    // One worker, so the calls behind the stuck one are queued on it.
    const quick = new LambdaRunner({ ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 5 }, 1);
    try {
      const stuck = quick.reconcile(request('function reconcile() { const a = []; for (let i = 0; i < 300000; i++) a.push(String(Math.random())); a.sort(); a.sort(); a.sort(); }'));
      const behind = Array.from({ length: 5 }, (_, n) => quick.reconcile(request(`function reconcile(user) { user.n = ${n}; }`)));
      assert.equal(failed(await stuck).code, 'LAMBDA_TIMEOUT');
      const results = await Promise.all(behind);
      results.forEach((result, n) => {
        assert.equal(result.status, 'completed');
        if (result.status === 'completed') assert.equal(result.user.n, n);
      });
    } finally {
      await quick.close();
    }
  });

  it('kills a worker stuck in a native builtin past the deadline, and replaces it', async () => {
    const quick = new LambdaRunner({ ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 5 });
    try {
      const result = failed(await quick.reconcile(request('function reconcile() { const a = []; for (let i = 0; i < 300000; i++) a.push(String(Math.random())); a.sort(); a.sort(); a.sort(); }')));
      assert.equal(result.code, 'LAMBDA_TIMEOUT');
      assert.equal((await quick.reconcile(request('function reconcile(user) { user.ok = true; }'))).status, 'completed');
    } finally {
      await quick.close();
    }
  });

  it('finds reconcile declared with function, const or let', async () => {
    for (const body of ['function reconcile(user) { user.ok = true; }', 'const reconcile = (user) => { user.ok = true; };', 'let reconcile = function (user) { user.ok = true; };']) {
      const result = await runner.reconcile(request(body));
      assert.equal(result.status === 'completed' && result.user.ok, true, body);
    }
  });

  it('deep-freezes the jwt', async () => {
    const result = await runner.reconcile(request('function reconcile(user, registration, jwt) { jwt.sub = "forged"; jwt.amr.push("x"); user.sub = jwt.sub; }'));
    assert.equal(result.status, 'failed', 'pushing onto a frozen array throws even in sloppy mode');
    const sloppy = await runner.reconcile(request('function reconcile(user, registration, jwt) { jwt.sub = "forged"; user.sub = jwt.sub; }'));
    assert.equal(sloppy.status === 'completed' && sloppy.user.sub, MIMOTO_JWT.sub);
    const strict = failed(await runner.reconcile(request('"use strict"; function reconcile(user, registration, jwt) { jwt.sub = "forged"; }')));
    assert.match(strict.message, /TypeError/);
    // Top-level code runs before the call; replacing the builtins there changes nothing.
    const tampered = await runner.reconcile(request('Object.freeze = (x) => x; JSON.parse = () => ({}); function reconcile(user, registration, jwt) { jwt.amr.push("x"); }'));
    assert.equal(tampered.status, 'failed');
  });

  it('context.reject refuses the login with the code and message verbatim', async () => {
    const result = await runner.reconcile(request('function reconcile(user, registration, jwt, context) { if (!jwt["urn:telematik:claims:age"]) { context.reject("AGE_UNKNOWN", "Wir kennen Ihr Alter nicht."); } }'));
    assert.deepEqual(result, { status: 'rejected', code: 'AGE_UNKNOWN', message: 'Wir kennen Ihr Alter nicht.', logs: [] });
    const thenThrow = await runner.reconcile(request('function reconcile(u, r, j, context) { context.reject("NO", "no"); throw new Error("after"); }'));
    assert.equal(thenThrow.status, 'rejected');
  });

  it('context.requireOnboarding asks for missing fields; context.input carries them on the second run', async () => {
    const body = `function reconcile(user, registration, jwt, context) {
      const email = jwt["urn:telematik:claims:email"] || (context.input && context.input.email);
      if (!email) { context.requireOnboarding("EMAIL_MISSING", { missing: ["email"] }); return; }
      user.email = email;
    }`;
    const jwt = { ...MIMOTO_JWT, 'urn:telematik:claims:email': '' };
    assert.deepEqual(await runner.reconcile(request(body, { jwt })), { status: 'onboarding', reason: 'EMAIL_MISSING', missing: ['email'], logs: [] });
    const second = await runner.reconcile(request(body, { jwt, input: { email: 'darius@example.org' } }));
    assert.equal(second.status === 'completed' && second.user.email, 'darius@example.org');
  });

  it('reports syntax errors, a missing reconcile and thrown errors with their message', async () => {
    assert.equal(failed(await runner.reconcile(request('function reconcile( {'))).code, 'LAMBDA_SYNTAX_ERROR');
    assert.equal(failed(await runner.reconcile(request('function other() {}'))).code, 'LAMBDA_FUNCTION_MISSING');
    const thrown = failed(await runner.reconcile(request('function reconcile() { throw new Error("KVNR missing"); }')));
    assert.equal(thrown.code, 'LAMBDA_THREW');
    assert.equal(thrown.message, 'Error: KVNR missing');
  });

  it('keeps console.debug only when debug is on, and bounds the log', async () => {
    const body = 'function reconcile() { console.debug("d"); console.error("e"); for (let i = 0; i < 500; i++) console.log("x".repeat(5000)); }';
    const quiet = await runner.reconcile(request(body));
    assert.equal(quiet.logs.some((l) => l.level === 'debug'), false);
    assert.equal(quiet.logs.length, 100);
    assert.ok(quiet.logs.every((l) => l.message.length <= 2000));
    const loud = await runner.reconcile(request(body, { debug: true }));
    assert.deepEqual(loud.logs.slice(0, 2), [{ level: 'debug', message: 'd' }, { level: 'error', message: 'e' }]);
  });
});
