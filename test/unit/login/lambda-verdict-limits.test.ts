import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedOnboarding, boundedReject, cutText, VERDICT_LIMITS } from '../../../src/login/lambda-verdict-limits.js';

describe('lambda verdict limits', () => {
  it('keeps short texts as they are', () => {
    assert.deepEqual(boundedReject('LoaTooLow', 'Bitte anmelden.'), { code: 'LoaTooLow', message: 'Bitte anmelden.' });
    assert.deepEqual(boundedOnboarding('email-required', ['email']), { reason: 'email-required', missing: ['email'] });
  });

  it('cuts codes, messages, reasons and the missing list to their limits', () => {
    const reject = boundedReject('c'.repeat(65), 'm'.repeat(1025));
    assert.equal(reject.code.length, VERDICT_LIMITS.code);
    assert.equal(reject.message.length, VERDICT_LIMITS.message);
    const onboarding = boundedOnboarding('r'.repeat(200), Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(100, 'x')));
    assert.equal(onboarding.reason.length, 64);
    assert.equal(onboarding.missing.length, 32);
    assert.ok(onboarding.missing.every((m) => typeof m === 'string' && m.length === 64));
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(3)}😀😀`;
    assert.equal(cutText(text, 4), 'aaa');
    assert.equal(cutText(text, 5), 'aaa😀');
  });
});
