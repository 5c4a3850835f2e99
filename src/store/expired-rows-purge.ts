import type { Store } from './store.js';

/**
 * The periodic housekeeping of a node: deletes what has expired — used jtis, revocations,
 * pending actions, refresh tokens, authorization transactions, SSO sessions — and delivered or
 * failed webhook rows older than `outboxRetentionMs`. One table after the other, each in small
 * batches that yield the event loop (repositories/batched-delete.ts), so the job never holds it
 * long. Returns the rows deleted.
 */
export async function purgeExpiredRows(store: Store, now: number, outboxRetentionMs: number): Promise<number> {
  let deleted = 0;
  deleted += await store.replay.purge(now);
  deleted += await store.revocations.purge(now);
  deleted += await store.pendingActions.purge(now);
  deleted += await store.refreshTokens.purge(now);
  deleted += await store.authorizationTransactions.purge(now);
  deleted += await store.ssoSessions.purge(now);
  deleted += await store.webhookOutbox.purgeCompleted(now - outboxRetentionMs);
  return deleted;
}
