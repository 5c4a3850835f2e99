import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectedKinds } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';
import type { Reply } from '../helpers/test-server.js';

const PARALLEL = 20;
const ROUNDS = 4;

/**
 * RFC 9700 §4.14.2 under concurrency: many uses of one refresh token at once have exactly one
 * winner, every other use is reuse, and reuse revokes the whole family, the successor the
 * winner was given in the same race included. On PostgreSQL the uses really run in parallel.
 */
for (const kind of selectedKinds()) {
  describe(`Refresh token races (${kind})`, () => {
    let world: IdpWorld;
    let providerId: string;

    before(async () => {
      world = await startIdpWorld(kind);
      providerId = await world.provider();
    });
    after(async () => world?.close());

    const refresh = (refreshToken: string): Promise<Reply> => world.server.api('POST', '/api/jwt/refresh', { refreshToken }, { authorization: '' });
    const code = (reply: Reply): string => reply.body?.generalErrors?.[0]?.code;
    const freshRefreshToken = async (): Promise<string> => {
      const login = await world.login(providerId, await world.idToken());
      assert.equal(login.status, 200, JSON.stringify(login.body));
      return login.body.refreshToken as string;
    };

    it(`${PARALLEL} parallel refreshes of one token: one wins, the rest are reuse, and the winner's new token is revoked (${ROUNDS} rounds)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const token = await freshRefreshToken();
        const replies = await Promise.all(Array.from({ length: PARALLEL }, () => refresh(token)));
        const winners = replies.filter((r) => r.status === 200);
        assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(replies.map((r) => [r.status, code(r)]))}`);
        const losers = replies.filter((r) => r.status !== 200);
        assert.deepEqual(new Set(losers.map((r) => `${r.status} ${code(r)}`)), new Set(['404 [InvalidRefreshToken]REUSED']), `round ${round}`);
        const successor = winners[0].body.refreshToken as string;
        assert.notEqual(successor, token);
        const afterRace = await refresh(successor);
        assert.equal(afterRace.status, 404, `round ${round}: the winner's new refresh token must be refused`);
        assert.equal(code(afterRace), '[InvalidRefreshToken]REVOKED');
      }
    });

    it('a revocation racing a refresh leaves no usable token in the family (first and later generations)', async () => {
      for (let round = 0; round < 2 * ROUNDS; round++) {
        let token = await freshRefreshToken();
        // Odd rounds race on a rotated family: the token is no longer the family's first.
        if (round % 2 === 1) token = (await refresh(token)).body.refreshToken as string;
        const [refreshed, revoked] = await Promise.all([
          refresh(token),
          world.server.api('DELETE', `/api/jwt/refresh?token=${encodeURIComponent(token)}`, undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID }),
        ]);
        assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
        if (refreshed.status === 200) {
          const successor = await refresh(refreshed.body.refreshToken as string);
          assert.equal(successor.status, 404, `round ${round}: a successor stored during the revocation must be revoked too`);
        } else {
          assert.equal(code(refreshed), '[InvalidRefreshToken]REVOKED', `round ${round}`);
        }
        assert.equal((await refresh(token)).status, 404);
      }
    });
  });
}
