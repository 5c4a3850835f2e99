import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { AJV_OPTIONS } from '../../../src/http/api-validation.js';
import { createLazyValidation } from '../../../src/http/lazy-validation.js';

const body = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 5 }, count: { type: 'integer' } },
  additionalProperties: false,
} as const;
const headers = { type: 'object', properties: { 'x-tenant-id': { type: 'string', maxLength: 3 } } } as const;

async function appWith(validation = createLazyValidation()) {
  const app = Fastify({ ajv: { customOptions: AJV_OPTIONS }, schemaController: { compilersFactory: { buildValidator: validation.buildValidator } } });
  app.post('/thing', { schema: { body, headers } }, async (request) => ({ got: request.body }));
  await app.ready();
  return { app, validation };
}

describe('lazy route validation', () => {
  it('validates as Fastify does: a valid body passes unchanged, each failure is reported with ajv errors', async () => {
    const { app } = await appWith();
    const ok = await app.inject({ method: 'POST', url: '/thing', payload: { name: 'abc', count: 2 } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { got: { name: 'abc', count: 2 } });

    // No coercion: a string where an integer is declared is refused, not turned into a number.
    const coerced = await app.inject({ method: 'POST', url: '/thing', payload: { name: 'abc', count: '2' } });
    assert.equal(coerced.statusCode, 400);
    const bad = await app.inject({ method: 'POST', url: '/thing', payload: { name: 'toolong', extra: 1 } });
    assert.equal(bad.statusCode, 400);
    // allErrors: both the length and the undeclared field are reported.
    assert.match(bad.json().message, /maxLength|more than 5/);
    assert.match(bad.json().message, /additional/);
    const header = await app.inject({ method: 'POST', url: '/thing', headers: { 'X-Tenant-Id': 'abcd' }, payload: { name: 'a' } });
    assert.equal(header.statusCode, 400, 'header names are matched in lower case');
    await app.close();
  });

  it('compiles a route validator on its first request, and compileAll compiles the rest', async () => {
    const { app, validation } = await appWith();
    await app.inject({ method: 'POST', url: '/thing', payload: { name: 'a' } });
    assert.equal(validation.compileAll(), 0, 'both validators of the route were compiled by its request');

    const fresh = await appWith();
    assert.equal(fresh.validation.compileAll(), 2, 'body and headers were still pending after ready');
    assert.equal(fresh.validation.compileAll(), 0);
    const after = await fresh.app.inject({ method: 'POST', url: '/thing', payload: {} });
    assert.equal(after.statusCode, 400);
    await app.close();
    await fresh.app.close();
  });
});
