import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedLabel, OTHER } from '../../../src/metrics/bounded-label.js';

describe('BoundedLabel', () => {
  it('keeps the first distinct values up to its bound, then answers "other" for good', () => {
    const label = new BoundedLabel(3);
    assert.deepEqual(['a', 'b', 'a', 'c'].map((v) => label.value(v)), ['a', 'b', 'a', 'c']);
    assert.equal(label.value('d'), OTHER);
    assert.equal(label.value('b'), 'b', 'a value seen before keeps its series');
  });

  it('turns values that are not code-like into "other" without spending the bound', () => {
    const label = new BoundedLabel(1);
    for (const value of ['patient@example.de', 'https://idp.example/x', 'two words', '', 'x'.repeat(65), 'line\nbreak']) assert.equal(label.value(value), OTHER, value);
    assert.equal(label.value('LoaTooLow'), 'LoaTooLow');
    assert.equal(label.value('[ExternalAuthenticationException]NotLinked'), OTHER, 'past the bound of one');
  });
});
