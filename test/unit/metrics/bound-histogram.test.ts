import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BoundHistogram } from '../../../src/metrics/bound-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED: [string, string, number][] = [
  ['select', 'sqlite', 0.0004],
  ['select', 'sqlite', 0.001],
  ['select', 'sqlite', 0.05],
  ['insert', 'sqlite', 2.5],
  ['select', 'sqlite', 0.0011],
  ['insert', 'sqlite', 0],
];

describe('BoundHistogram', () => {
  it('scrapes as the same text as prom-client\'s Histogram given the same observations, le buckets included', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const bound = new BoundHistogram('query_seconds', 'Query time.', ['statement', 'dialect'], BUCKETS, ours);
    const reference = new Histogram({ name: 'query_seconds', help: 'Query time.', labelNames: ['statement', 'dialect'], buckets: BUCKETS, registers: [theirs] });
    for (const [statement, dialect, value] of OBSERVED) {
      bound.series(statement, dialect).observe(value);
      reference.labels(statement, dialect).observe(value);
    }
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /query_seconds_bucket\{le="0.001",statement="select",dialect="sqlite"\} 2/);
    assert.match(text, /query_seconds_bucket\{le="\+Inf",statement="insert",dialect="sqlite"\} 2/);
    assert.match(text, /query_seconds_count\{statement="select",dialect="sqlite"\} 4/);
  });

  it('binds a label set once and ignores a value that is not a finite number', () => {
    const bound = new BoundHistogram('h', 'h', ['k'], BUCKETS, new Registry());
    const series = bound.series('a');
    assert.equal(bound.series('a'), series);
    series.observe(Number.NaN);
    series.observe(Number.POSITIVE_INFINITY);
    series.observe(0.5);
    assert.equal(series.count, 1);
    assert.equal(series.sum, 0.5);
  });
});
