import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { sha256 } from '../../../src/lib/hash.js';
import type { Application, User } from '../../../src/store/records.js';
import { RefreshTokenError } from '../../../src/tokens/refresh-tokens.js';
import type { RefreshErrorCode } from '../../../src/tokens/refresh-tokens.js';
import { UserTokenService } from '../../../src/tokens/user-tokens.js';
import { createOAuthWorld, PUBLIC_URL } from '../../helpers/oauth-context.js';
import type { OAuthWorld } from '../../helpers/oauth-context.js';

const failure = async (promise: Promise<unknown>): Promise<RefreshErrorCode | 'resolved'> => {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (error instanceof RefreshTokenError) return error.code;
    throw error;
  }
};

describe('refresh tokens (tokens/refresh-tokens.ts)', () => {
  let world: OAuthWorld;
  let tokens: UserTokenService;
  let application: Application;
  let user: User;

  before(async () => {
    world = await createOAuthWorld();
    tokens = new UserTokenService({ store: world.store, clock: world.clock, keys: world.ctx.keys, publicUrl: PUBLIC_URL, refreshTokens: world.ctx.refreshTokens });
    application = await world.application();
    user = await world.registeredUser(application);
  });
  after(async () => world?.close());

  const login = async (scope?: string) => {
    const registration = await world.store.registrations.find(user.id, application.id);
    const issued = await tokens.issue({ tenant: world.tenant, application, user, registration, authenticationType: 'FEDERATED_JWT', authTime: 1_800_000_000, ...(scope ? { scope } : {}), withRefreshToken: true });
    assert.equal(typeof issued.refreshToken, 'string');
    return issued.refreshToken!;
  };

  it('rotates: a new token of the same family and a fresh access token signed with the tenant key', async () => {
    const first = await login('openid');
    const original = await world.store.refreshTokens.findByHash(sha256(first));
    world.clock.advance(60_000);
    const { tokens: refreshed, record } = await tokens.refresh(first, application.id);
    assert.notEqual(refreshed.refreshToken, first);
    assert.equal(record.familyId, original!.familyId);
    const successor = await world.store.refreshTokens.findByHash(sha256(refreshed.refreshToken!));
    assert.equal(successor?.familyId, original!.familyId);
    assert.equal(successor?.status, 'active');
    assert.equal(successor?.expiresAt, original!.expiresAt, 'the family keeps the expiry of its first login');
    assert.equal((await world.store.refreshTokens.findByHash(sha256(first)))?.status, 'rotated');
    const jwks = createLocalJWKSet((await world.ctx.keys.jwks(world.tenant.id)) as unknown as JSONWebKeySet);
    const { payload } = await jwtVerify(refreshed.token, jwks, { issuer: `${PUBLIC_URL}/t/unit`, currentDate: new Date(world.clock.now()) });
    assert.equal(payload.sub, user.id);
    assert.equal(payload.authenticationType, 'REFRESH_TOKEN');
    assert.equal(payload.scope, 'openid');
  });

  it('reuse of a rotated token is REUSED and revokes the whole family, the successor included', async () => {
    const first = await login();
    const { tokens: refreshed } = await tokens.refresh(first);
    const { tokens: again } = await tokens.refresh(refreshed.refreshToken!);
    assert.equal(await failure(tokens.refresh(first)), 'REUSED');
    assert.equal(await failure(tokens.refresh(again.refreshToken!)), 'REVOKED');
    assert.equal(await failure(tokens.refresh(refreshed.refreshToken!)), 'REUSED', 'a rotated token stays recognisable as used');
  });

  it('of several concurrent uses exactly one rotates, the others are reuse, and the winner’s token is revoked', async () => {
    const first = await login();
    const results = await Promise.all(Array.from({ length: 6 }, () => tokens.refresh(first).then((r) => r.tokens.refreshToken!, (error: unknown) => error)));
    const winners = results.filter((r): r is string => typeof r === 'string');
    assert.equal(winners.length, 1);
    for (const loser of results.filter((r) => typeof r !== 'string')) assert.equal((loser as RefreshTokenError).code, 'REUSED');
    assert.equal(await failure(tokens.refresh(winners[0])), 'REVOKED');
  });

  it('expires with its family: a rotation does not extend the lifetime', async () => {
    const first = await login();
    world.clock.advance(59 * 60_000);
    const { tokens: refreshed } = await tokens.refresh(first);
    world.clock.advance(60_000);
    assert.equal(await failure(tokens.refresh(refreshed.refreshToken!)), 'EXPIRED');
  });

  it('belongs to its client and keeps its scope; unknown tokens are NOT_FOUND; refusals do not consume it', async () => {
    const other = await world.application();
    const token = await login('openid');
    assert.equal(await failure(tokens.refresh(token, other.id)), 'WRONG_CLIENT');
    assert.equal(await failure(tokens.refresh(token, application.id, 'openid email')), 'SCOPE_NOT_GRANTED');
    assert.equal(await failure(tokens.refresh('not-a-token')), 'NOT_FOUND');
    assert.equal(await failure(tokens.refresh(token, application.id, 'openid')), 'resolved');
  });

  it('revocation answers per holder and revokes the family; logout revokes every family of the user', async () => {
    const refreshTokens = world.ctx.refreshTokens;
    const token = await login();
    assert.equal(await refreshTokens.revoke(token, { tenantId: 'another-tenant' }), 'NOT_FOUND');
    assert.equal(await refreshTokens.revoke(token, { tenantId: world.tenant.id, applicationId: 'another-client' }), 'WRONG_CLIENT');
    assert.equal(await failure(tokens.refresh(token)), 'resolved', 'a refused revocation revokes nothing');
    const a = await login();
    const b = await login();
    const { tokens: successor } = await tokens.refresh(a);
    assert.equal(await refreshTokens.revoke(a, { tenantId: world.tenant.id }), 'REVOKED');
    assert.equal(await failure(tokens.refresh(successor.refreshToken!)), 'REVOKED');
    assert.equal(await failure(tokens.refresh(b)), 'resolved', 'another family is untouched');
    const c = await login();
    assert.ok((await refreshTokens.revokeByUser(user.id, application.id)) >= 1);
    assert.equal(await failure(tokens.refresh(c)), 'REVOKED');
  });

  it('refuses a user who is no longer active, without consuming the token', async () => {
    const token = await login();
    await world.store.users.update({ ...user, active: false, lastUpdateInstant: world.clock.now() });
    try {
      assert.equal(await failure(tokens.refresh(token)), 'USER_INACTIVE');
    } finally {
      await world.store.users.update({ ...user, lastUpdateInstant: world.clock.now() });
    }
    assert.equal(await failure(tokens.refresh(token)), 'resolved');
  });
});
