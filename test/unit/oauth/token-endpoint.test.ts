import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { FormBodyError, parseFormBody } from '../../../src/http/form-body.js';
import { OAuthError } from '../../../src/oauth/errors.js';
import { clientCredentialsGrant } from '../../../src/oauth/grants/client-credentials.js';
import { GrantRegistry } from '../../../src/oauth/grants/grant.js';
import type { Grant } from '../../../src/oauth/grants/grant.js';
import { handleTokenRequest } from '../../../src/oauth/token-endpoint.js';
import type { Application } from '../../../src/store/records.js';
import { createOAuthWorld, PUBLIC_URL } from '../../helpers/oauth-context.js';
import type { OAuthWorld } from '../../helpers/oauth-context.js';

const SECRET = 'a-client-secret-of-at-least-32-characters';
const PROBE = 'urn:example:params:oauth:grant-type:probe';

/** The token endpoint pipeline (RFC 6749 §3.2, §5.2) over the grant registry, without HTTP. */
describe('token endpoint (oauth/token-endpoint.ts)', () => {
  let world: OAuthWorld;
  let client: Application;
  let authorization: string;
  const handled: { params: ReadonlyMap<string, string>; clientId: string }[] = [];
  const probe: Grant = {
    grantType: PROBE,
    parameters: ['code', 'redirect_uri'],
    async handle(_ctx, request, authenticated) {
      handled.push({ params: request.params, clientId: authenticated.application.oauthConfiguration.clientId });
      return { ok: true };
    },
  };
  const grants = new GrantRegistry().register(clientCredentialsGrant).register(probe);

  before(async () => {
    world = await createOAuthWorld();
    client = await world.application({ enabledGrants: ['client_credentials', PROBE], allowedScopes: ['read', 'write'] }, {}, SECRET);
    authorization = `Basic ${Buffer.from(`${client.oauthConfiguration.clientId}:${SECRET}`).toString('base64')}`;
  });
  after(async () => world?.close());

  /** The raw form body goes through the edge's parser, as the route does. */
  const tokenRequest = async (body: string, auth: string | null = authorization) =>
    handleTokenRequest(world.ctx, grants, { tenant: world.tenant, params: parseFormBody(body), authorization: auth ?? undefined });
  const refusal = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
      return 'answered';
    } catch (error) {
      if (error instanceof OAuthError) return `${error.status} ${error.error}`;
      if (error instanceof FormBodyError) return `${error.statusCode} ${error.code}`;
      throw error;
    }
  };

  it('a missing grant_type is invalid_request, an unknown one unsupported_grant_type, both before client authentication', async () => {
    assert.equal(await refusal(tokenRequest('scope=read', null)), '400 invalid_request');
    assert.equal(await refusal(tokenRequest('grant_type=password&username=a&password=b', null)), '400 unsupported_grant_type');
    assert.equal(await refusal(tokenRequest(`grant_type=${'x'.repeat(5000)}`)), '400 unsupported_grant_type');
  });

  it('a repeated parameter is refused at the edge and never reaches a grant (§3.2)', async () => {
    const before = handled.length;
    assert.equal(await refusal(tokenRequest(`grant_type=${encodeURIComponent(PROBE)}&code=a&code=b&redirect_uri=https%3A%2F%2Fapp`)), '400 GH_FORM_DUPLICATE_PARAMETER');
    assert.equal(await refusal(tokenRequest('grant_type=client_credentials&grant_type=client_credentials')), '400 GH_FORM_DUPLICATE_PARAMETER');
    assert.equal(handled.length, before);
  });

  it('the client authenticates before anything of the grant is looked at', async () => {
    assert.equal(await refusal(tokenRequest(`grant_type=${encodeURIComponent(PROBE)}`, 'Basic bm9ib2R5Ondyb25n')), '401 invalid_client');
    assert.equal(await refusal(tokenRequest(`grant_type=${encodeURIComponent(PROBE)}`, null)), '401 invalid_client');
  });

  it('a grant the client has not enabled is unauthorized_client', async () => {
    const other = await world.application({ enabledGrants: ['client_credentials'] }, {}, SECRET);
    const otherAuth = `Basic ${Buffer.from(`${other.oauthConfiguration.clientId}:${SECRET}`).toString('base64')}`;
    assert.equal(await refusal(tokenRequest(`grant_type=${encodeURIComponent(PROBE)}&code=a&redirect_uri=b`, otherAuth)), '400 unauthorized_client');
  });

  it('a grant’s required parameters are checked before its handler runs, which gets the authenticated client', async () => {
    const before = handled.length;
    assert.equal(await refusal(tokenRequest(`grant_type=${encodeURIComponent(PROBE)}&code=abc`)), '400 invalid_request');
    assert.equal(await refusal(tokenRequest(`grant_type=${encodeURIComponent(PROBE)}&code=&redirect_uri=https%3A%2F%2Fapp`)), '400 invalid_request', 'an empty value is an omitted one');
    assert.equal(handled.length, before);
    assert.deepEqual(await tokenRequest(`grant_type=${encodeURIComponent(PROBE)}&code=abc&redirect_uri=https%3A%2F%2Fapp`), { ok: true });
    assert.equal(handled.at(-1)?.clientId, client.oauthConfiguration.clientId);
    assert.equal(handled.at(-1)?.params.get('code'), 'abc');
  });

  it('client_credentials through the pipeline: the allowed scopes, a token signed by the tenant, invalid_scope beyond them', async () => {
    const reply = await tokenRequest('grant_type=client_credentials&scope=read');
    assert.equal(reply.token_type, 'Bearer');
    assert.equal(reply.scope, 'read');
    const jwks = createLocalJWKSet((await world.ctx.keys.jwks(world.tenant.id)) as unknown as JSONWebKeySet);
    const { payload } = await jwtVerify(reply.access_token as string, jwks, { issuer: `${PUBLIC_URL}/t/unit`, audience: client.oauthConfiguration.clientId, currentDate: new Date(world.clock.now()) });
    assert.equal(payload.client_id, client.oauthConfiguration.clientId);
    assert.equal(payload.exp! - payload.iat!, 300);
    assert.equal(await refusal(tokenRequest('grant_type=client_credentials&scope=read%20admin')), '400 invalid_scope');
  });

  it('on a SMART tenant the SMART rules decide: a client without a role is invalid_scope', async () => {
    const smartTenant = { ...world.tenant, smartConfiguration: { enabled: true } } as typeof world.tenant;
    const request = handleTokenRequest(world.ctx, grants, { tenant: smartTenant, params: parseFormBody('grant_type=client_credentials&scope=system%2F*.read'), authorization });
    await assert.rejects(request, (error: unknown) => error instanceof OAuthError && error.error === 'invalid_scope' && error.detail === 'NO_ROLE_SCOPES');
  });

  it('the registry refuses a grant type registered twice', () => {
    assert.deepEqual(grants.types(), ['client_credentials', PROBE]);
    assert.throws(() => new GrantRegistry().register(probe).register({ ...probe }), /registered twice/);
  });
});
