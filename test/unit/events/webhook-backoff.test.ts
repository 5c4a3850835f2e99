import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKOFF_CAP_MS, backoffDelayMs } from '../../../src/events/webhook-backoff.js';

describe('webhook backoff', () => {
  it('doubles per failed attempt, between half and all of the exponential delay', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelayMs(n, 1000, () => 0)), [500, 1000, 2000, 4000]);
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelayMs(n, 1000, () => 1)), [1000, 2000, 4000, 8000]);
    for (let n = 1; n < 10; n++) {
      const delay = backoffDelayMs(n, 100);
      assert.ok(delay >= 50 * 2 ** (n - 1) && delay <= 100 * 2 ** (n - 1), `${n}: ${delay}`);
    }
  });

  it('is capped, however many attempts failed', () => {
    assert.equal(backoffDelayMs(60, 1000, () => 1), BACKOFF_CAP_MS);
    assert.equal(backoffDelayMs(1000, 1000, () => 0), BACKOFF_CAP_MS / 2);
  });
});
