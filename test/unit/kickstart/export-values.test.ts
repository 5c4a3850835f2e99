import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { escapeLiteral, ExportVariables, Placeholder, toKickstartValue } from '../../../src/kickstart/export-values.js';
import { substitute } from '../../../src/kickstart/kickstart.js';

/** Strings made of the characters that matter to variable references, and a few others. */
const referenceLike = fc.array(fc.constantFrom('$', '{', '}', ':', '-', 'a', 'B', '_', '.', 'env', ' ', '\n', '`'), { maxLength: 30 }).map((parts) => parts.join(''));

describe('export values', () => {
  it('an escaped literal reads back as itself, whatever references it looks like', () => {
    fc.assert(
      fc.property(referenceLike, (text) => {
        assert.equal(substitute(escapeLiteral(text), {}, {}, 'x'), text);
      }),
      { numRuns: 2000 },
    );
    assert.equal(escapeLiteral('`${jwt.iss}` and ${env.HOME:-x}'), '`$${jwt.iss}` and $${env.HOME:-x}');
    assert.equal(escapeLiteral('no reference: $ {x} ${not valid}'), 'no reference: $ {x} ${not valid}');
  });

  it('placeholders stay references; everything else is escaped, and undefined fields are dropped', () => {
    const value = toKickstartValue({ secret: new Placeholder('APP_A_CLIENT_SECRET'), body: 'x = `${y}`', gone: undefined, list: ['${z}', 3, true] });
    assert.deepEqual(value, { secret: '${APP_A_CLIENT_SECRET}', body: 'x = `$${y}`', list: ['$${z}', 3, true] });
    assert.deepEqual(substitute(value, { APP_A_CLIENT_SECRET: 's3cret' }, {}, ''), { secret: 's3cret', body: 'x = `${y}`', list: ['${z}', 3, true] });
  });

  it('variables get unique upper-case names that read the environment variable of the same name', () => {
    const variables = new ExportVariables();
    assert.equal(variables.placeholder('APP_module-a_CLIENT_SECRET', 'a').name, 'APP_MODULE_A_CLIENT_SECRET');
    assert.equal(variables.placeholder('APP_module.a_CLIENT_SECRET', 'b').name, 'APP_MODULE_A_CLIENT_SECRET_2');
    assert.equal(variables.placeholder('--', 'c').name, 'SECRET');
    assert.deepEqual(variables.section(), {
      APP_MODULE_A_CLIENT_SECRET: new Placeholder('env.APP_MODULE_A_CLIENT_SECRET'),
      APP_MODULE_A_CLIENT_SECRET_2: new Placeholder('env.APP_MODULE_A_CLIENT_SECRET_2'),
      SECRET: new Placeholder('env.SECRET'),
    });
    assert.deepEqual(substitute(toKickstartValue(variables.section()), {}, { APP_MODULE_A_CLIENT_SECRET: 'v1', APP_MODULE_A_CLIENT_SECRET_2: 'v2', SECRET: 'v3' }, 'variables'), {
      APP_MODULE_A_CLIENT_SECRET: 'v1',
      APP_MODULE_A_CLIENT_SECRET_2: 'v2',
      SECRET: 'v3',
    });
  });
});
