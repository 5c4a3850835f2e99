import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { AJV_OPTIONS } from '../../../src/http/api-validation.js';
import { createLazyCompilers } from '../../../src/http/lazy-schema-compilers.js';

const body = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 5 }, count: { type: 'integer' } },
  additionalProperties: false,
} as const;
const headers = { type: 'object', properties: { 'x-tenant-id': { type: 'string', maxLength: 3 } } } as const;
/** The response leaves out what its schema does not declare (fast-json-stringify). */
const response = { 200: { type: 'object', properties: { got: { type: 'object', properties: { name: { type: 'string' } } } } } } as const;

async function appWith(compilers = createLazyCompilers()) {
  const app = Fastify({ ajv: { customOptions: AJV_OPTIONS }, schemaController: { compilersFactory: compilers.compilersFactory } });
  app.post('/thing', { schema: { body, headers, response } }, async (request) => ({ got: request.body, secret: 'not in the schema' }));
  await app.ready();
  return { app, compilers };
}

describe('lazy route schema compilers', () => {
  it('validate and serialize as Fastify does: a valid body passes unchanged, each failure is reported with ajv errors', async () => {
    const { app } = await appWith();
    const ok = await app.inject({ method: 'POST', url: '/thing', payload: { name: 'abc', count: 2 } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { got: { name: 'abc' } }, 'serialized by the response schema');

    // No coercion: a string where an integer is declared is refused, not turned into a number.
    const coerced = await app.inject({ method: 'POST', url: '/thing', payload: { name: 'abc', count: '2' } });
    assert.equal(coerced.statusCode, 400);
    const bad = await app.inject({ method: 'POST', url: '/thing', payload: { name: 'toolong', extra: 1 } });
    assert.equal(bad.statusCode, 400);
    // allErrors: both the length and the undeclared field are reported.
    assert.match(bad.json().message, /more than 5/);
    assert.match(bad.json().message, /additional/);
    const header = await app.inject({ method: 'POST', url: '/thing', headers: { 'X-Tenant-Id': 'abcd' }, payload: { name: 'a' } });
    assert.equal(header.statusCode, 400, 'header names are matched in lower case');
    await app.close();
  });

  it('compile a route schema on its first use, and compileAll compiles the rest', async () => {
    const { app, compilers } = await appWith();
    await app.inject({ method: 'POST', url: '/thing', payload: { name: 'a' } });
    assert.equal(compilers.compileAll(), 0, 'the route request compiled its body and header validators and its 200 serializer');

    const fresh = await appWith();
    assert.equal(fresh.compilers.compileAll(), 3, 'body, headers and the response were still pending after ready');
    assert.equal(fresh.compilers.compileAll(), 0);
    const after = await fresh.app.inject({ method: 'POST', url: '/thing', payload: {} });
    assert.equal(after.statusCode, 400);
    await app.close();
    await fresh.app.close();
  });
});
