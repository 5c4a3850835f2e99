import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FormBodyError} from '../../../src/http/form-body.js';
import { parseFormBody } from '../../../src/http/form-body.js';

describe('form bodies (RFC 6749 §3.2)', () => {
  it('decodes + and percent escapes and drops empty values', () => {
    const params = parseFormBody('scope=system%2FPatient.rs+system%2FTask.rs&client_id=a%3Ab&empty=');
    assert.equal(params.get('scope'), 'system/Patient.rs system/Task.rs');
    assert.equal(params.get('client_id'), 'a:b');
    assert.equal(params.has('empty'), false);
  });

  it('refuses repeated parameters, broken escapes and raw non-ASCII', () => {
    const code = (body: string) => {
      try {
        parseFormBody(body);
        return 'parsed';
      } catch (error) {
        return (error as FormBodyError).code;
      }
    };
    assert.equal(code('a=1&a=2'), 'GH_FORM_DUPLICATE_PARAMETER');
    assert.equal(code('a=1&a='), 'GH_FORM_DUPLICATE_PARAMETER');
    assert.equal(code('a=%zz'), 'GH_FORM_MALFORMED');
    assert.equal(code('a=ü'), 'GH_FORM_MALFORMED');
    assert.equal(code(''), 'parsed');
  });
});

describe('form bodies: invalid UTF-8 behind valid escapes', () => {
  it('refuses escapes that are not UTF-8', () => {
    assert.throws(() => parseFormBody('a=%FF'), /not valid UTF-8/);
    assert.throws(() => parseFormBody('a=%E0%A4'), /not valid UTF-8/);
    assert.equal(parseFormBody('a=%E2%82%AC').get('a'), '€');
  });
});
