import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { isSafeText, SAFE_TEXT_PATTERN, SafeString } from '../../../../src/http/schemas/safe-string.js';

describe('SafeString', () => {
  const accepted = ['', 'svc:basic', 'é', '😀', 'a b', '~!@#$%^&*()', '\u0080', '\ufffd'];
  const refused = ['\u0000', 'a\u0000b', '\t', '\n', '\r', '\u001f', '\u007f', '\ud800', '\udfff', 'x\udc00y', '\udc00\ud800', '😀'.slice(0, 1)];

  it('accepts text without controls, surrogate pairs included', () => {
    for (const text of accepted) assert.equal(isSafeText(text), true, JSON.stringify(text));
  });

  it('refuses NUL, C0 controls, DEL and unpaired surrogates', () => {
    for (const text of refused) assert.equal(isSafeText(text), false, JSON.stringify(text));
  });

  it('means the same with and without the Unicode flag (JSON Schema validators differ)', () => {
    const plain = new RegExp(SAFE_TEXT_PATTERN);
    for (const text of [...accepted, ...refused]) assert.equal(plain.test(text), isSafeText(text), JSON.stringify(text));
  });

  it('is a bounded string schema for TypeBox', () => {
    const check = Compile(Type.Object({ id: SafeString(5) }));
    assert.equal(check.Check({ id: 'abcde' }), true);
    assert.equal(check.Check({ id: 'abcdef' }), false);
    assert.equal(check.Check({ id: 'a\u0000' }), false);
    assert.equal(check.Check({ id: 5 }), false);
  });
});
