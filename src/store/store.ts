import { CompiledQuery, sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DatabaseHandle, Dialect } from './database.js';
import { migrateToLatest, ping } from './migrations.js';
import { ApiKeyRepository } from './repositories/api-key-repository.js';
import { AuthorizationTransactionRepository } from './repositories/authorization-transaction-repository.js';
import { ApplicationRepository } from './repositories/application-repository.js';
import { EventLogRepository } from './repositories/event-log-repository.js';
import { IdentityProviderRepository } from './repositories/identity-provider-repository.js';
import { KeyRepository } from './repositories/key-repository.js';
import { LambdaRepository } from './repositories/lambda-repository.js';
import { LinkRepository } from './repositories/link-repository.js';
import { MetaRepository } from './repositories/meta-repository.js';
import { PendingActionRepository } from './repositories/pending-action-repository.js';
import { RefreshTokenRepository } from './repositories/refresh-token-repository.js';
import { RegistrationRepository } from './repositories/registration-repository.js';
import { ReplayRepository } from './repositories/replay-repository.js';
import { RevocationRepository } from './repositories/revocation-repository.js';
import { SigningKeyRepository } from './repositories/signing-key-repository.js';
import { SmartRoleRepository } from './repositories/smart-role-repository.js';
import { SsoSessionRepository } from './repositories/sso-session-repository.js';
import { TenantRepository } from './repositories/tenant-repository.js';
import { UserRepository } from './repositories/user-repository.js';
import { WebhookOutboxRepository } from './repositories/webhook-outbox-repository.js';
import { WebhookRepository } from './repositories/webhook-repository.js';
import type { Database } from './schema.js';
import { DEFER_WRITES } from './postgres-deferred-writes.js';
import { PostgresReplayWriter } from './postgres-replay-writer.js';
import { SqliteReplayWriter } from './sqlite-replay-writer.js';
import { WriteBatcher } from './write-batcher.js';

/**
 * The repository layer: one object per table group, all bound to the same database handle or
 * transaction. `transaction()` hands out a Store bound to a transaction, so a service writes
 * everything or nothing.
 */
export class Store {
  readonly tenants: TenantRepository;
  readonly applications: ApplicationRepository;
  readonly users: UserRepository;
  readonly registrations: RegistrationRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly keys: KeyRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly replay: ReplayRepository;
  readonly revocations: RevocationRepository;
  readonly meta: MetaRepository;
  readonly smartRoles: SmartRoleRepository;
  readonly eventLog: EventLogRepository;
  readonly lambdas: LambdaRepository;
  readonly identityProviders: IdentityProviderRepository;
  readonly links: LinkRepository;
  readonly pendingActions: PendingActionRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly authorizationTransactions: AuthorizationTransactionRepository;
  readonly ssoSessions: SsoSessionRepository;
  readonly webhooks: WebhookRepository;
  readonly webhookOutbox: WebhookOutboxRepository;

  private writeBatcher: WriteBatcher<Store> | undefined;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly replayWriter?: SqliteReplayWriter,
    /** PostgreSQL: jti consumes outside transactions, batched. */
    private readonly postgresReplayWriter?: PostgresReplayWriter,
  ) {
    this.tenants = new TenantRepository(db);
    this.applications = new ApplicationRepository(db);
    this.users = new UserRepository(db, dialect);
    this.registrations = new RegistrationRepository(db);
    this.apiKeys = new ApiKeyRepository(db);
    this.keys = new KeyRepository(db);
    this.signingKeys = new SigningKeyRepository(db);
    this.replay = new ReplayRepository(db, dialect, replayWriter ?? postgresReplayWriter);
    this.revocations = new RevocationRepository(db);
    this.meta = new MetaRepository(db);
    this.smartRoles = new SmartRoleRepository(db);
    this.eventLog = new EventLogRepository(db);
    this.lambdas = new LambdaRepository(db);
    this.identityProviders = new IdentityProviderRepository(db);
    this.links = new LinkRepository(db, dialect);
    this.pendingActions = new PendingActionRepository(db);
    this.refreshTokens = new RefreshTokenRepository(db);
    this.authorizationTransactions = new AuthorizationTransactionRepository(db);
    this.ssoSessions = new SsoSessionRepository(db);
    this.webhooks = new WebhookRepository(db);
    this.webhookOutbox = new WebhookOutboxRepository(db, dialect);
  }

  static fromHandle(handle: DatabaseHandle): Store {
    if (handle.dialect === 'postgres') return new Store(handle.db, handle.dialect, undefined, new PostgresReplayWriter(handle.db));
    return new Store(handle.db, handle.dialect, handle.sqliteFile ? new SqliteReplayWriter(handle.sqliteFile) : undefined);
  }

  /** Runs `work` in one transaction; nested calls join the outer one. */
  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new Store(trx, this.dialect, this.replayWriter, this.postgresReplayWriter)));
  }

  /**
   * Runs a small write set atomically, for a hot path: grouped with the other write sets of this
   * event-loop turn under one COMMIT (if one fails, each is rerun alone, so `work` may run twice
   * and must touch nothing but its store). On PostgreSQL one batch is in flight at a time (the
   * write sets arriving meanwhile are the next), and a write set's writes go out together, as
   * late as COMMIT, so `work` must not read their row counts. Inside a transaction already, part of it.
   */
  async write(work: (store: Store) => Promise<void>): Promise<void> {
    if (this.db.isTransaction) return this.transaction(work);
    if (!this.writeBatcher) {
      this.writeBatcher = new WriteBatcher<Store>((work) => this.transaction(work), this.dialect === 'postgres');
      this.replayWriter?.startBackgroundCheckpoints();
    }
    if (this.dialect !== 'postgres') return this.writeBatcher.run(work);
    // The write set's writes nobody reads wait, and go out together (postgres-deferred-writes.ts:
    // a batch of one write set is one statement, no BEGIN or COMMIT; COMMIT and ROLLBACK end the waiting).
    return this.writeBatcher.run(async (tx) => {
      await tx.db.executeQuery(CompiledQuery.raw(DEFER_WRITES));
      await work(tx);
    });
  }

  /**
   * SQLite WAL maintenance, called periodically: a PASSIVE checkpoint here unless the replay
   * worker's connection is already checkpointing in the background. No-op on PostgreSQL.
   */
  async checkpoint(): Promise<void> {
    if (this.dialect !== 'sqlite' || this.replayWriter?.checkpointing) return;
    await sql`pragma wal_checkpoint(PASSIVE)`.execute(this.db);
  }

  migrate(): Promise<string[]> {
    return migrateToLatest(this.db as Kysely<unknown>, this.dialect);
  }

  ping(): Promise<void> {
    return ping(this.db as Kysely<unknown>);
  }

  async close(): Promise<void> {
    await this.replayWriter?.close();
    await this.postgresReplayWriter?.close();
    await this.db.destroy();
  }
}
