import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentRootAliases, rewriteRootAlias } from '../../../src/http/root-aliases.js';

describe('root aliases of the default tenant', () => {
  it('rewrites FusionAuth root paths to the default tenant, query kept', () => {
    assert.equal(rewriteRootAlias('/oauth2/token'), '/t/default/oauth2/token');
    assert.equal(rewriteRootAlias('/oauth2/userinfo'), '/t/default/oauth2/userinfo');
    assert.equal(rewriteRootAlias('/oauth2/authorize?client_id=a&state=b'), '/t/default/oauth2/authorize?client_id=a&state=b');
    assert.equal(rewriteRootAlias('/.well-known/openid-configuration'), '/t/default/.well-known/openid-configuration');
    assert.equal(rewriteRootAlias('/.well-known/jwks.json?x=1'), '/t/default/.well-known/jwks.json?x=1');
  });

  it('leaves every other path alone', () => {
    for (const url of ['/api/user', '/t/acme/oauth2/token', '/.well-known/oauth-authorization-server/t/acme', '/.well-known/jwks.jsonx', '/oauth2', '/health']) {
      assert.equal(rewriteRootAlias(url), url);
    }
  });

  it('documents an alias for each aliased tenant path, without the tenant parameter', () => {
    const operation = { operationId: 'postTByTenantOauth2Token', parameters: [{ in: 'path', name: 'tenant' }, { in: 'header', name: 'x' }] };
    const document = documentRootAliases<{ paths?: Record<string, unknown> }>({ paths: { '/t/{tenant}/oauth2/token': { post: operation }, '/t/{tenant}/fhir/metadata': { get: {} } } });
    const alias = (document.paths as unknown as Record<string, { post: typeof operation & { summary: string } }>)['/oauth2/token'].post;
    assert.equal(alias.operationId, 'rootPostTByTenantOauth2Token');
    assert.equal(alias.summary, 'POST /oauth2/token');
    assert.deepEqual(alias.parameters, [{ in: 'header', name: 'x' }]);
    assert.equal((document.paths as Record<string, unknown>)['/fhir/metadata'], undefined);
  });
});
