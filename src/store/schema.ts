import type { Generated } from 'kysely';

/**
 * Row types of every table. Times are epoch milliseconds (BIGINT), flexible parts of the
 * FusionAuth-shaped objects are JSON text in `data`. Every domain row carries its tenant.
 */
export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

export interface ApplicationRow {
  id: string;
  tenant_id: string;
  name: string;
  client_id: string;
  client_secret_hash: string | null;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

export interface UserRow {
  id: string;
  tenant_id: string;
  email: string | null;
  username: string | null;
  data: string;
  insert_instant: number;
  last_update_instant: number;
  last_login_instant: number | null;
}

export interface RegistrationRow {
  id: string;
  tenant_id: string;
  user_id: string;
  application_id: string;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

export interface ApiKeyRow {
  id: string;
  key_hash: string;
  tenant_id: string | null;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

export interface KeyRow {
  id: string;
  name: string;
  kid: string;
  algorithm: string | null;
  type: string;
  public_key: string | null;
  /** AES-256-GCM ciphertext under the master key. */
  private_key: string | null;
  certificate: string | null;
  /** AES-256-GCM ciphertext under the master key. */
  secret: string | null;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

export interface TenantSigningKeyRow {
  tenant_id: string;
  key_id: string;
  activated_instant: number;
  retired_instant: number | null;
  /** After this instant the key leaves the tenant's JWKS. */
  publish_until: number | null;
}

export interface UsedJtiRow {
  /** First 22 base64url characters of SHA-256(scope NUL jti). */
  jti_key: string;
  expires_at: number;
}

export interface RevokedTokenRow {
  jti: string;
  tenant_id: string;
  expires_at: number;
}

export interface SmartRoleRow {
  id: string;
  tenant_id: string;
  name: string;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

export interface EventLogRow {
  id: Generated<number>;
  type: 'Information' | 'Debug' | 'Error';
  message: string;
  insert_instant: number;
}

export interface LambdaRow {
  id: string;
  name: string;
  type: string;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

export interface IdentityProviderRow {
  id: string;
  tenant_id: string | null;
  name: string;
  type: string;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

export interface IdentityProviderLinkRow {
  tenant_id: string;
  identity_provider_id: string;
  identity_provider_user_id: string;
  user_id: string;
  display_name: string | null;
  token: string | null;
  insert_instant: number;
  last_login_instant: number;
}

export interface PendingActionRow {
  id: string;
  kind: 'link' | 'onboarding';
  tenant_id: string;
  data: string;
  insert_instant: number;
  expires_at: number;
}

export interface RefreshTokenRow {
  /** SHA-256 (base64url) of the token; the token itself is never stored. */
  token_hash: string;
  id: string;
  family_id: string;
  tenant_id: string;
  user_id: string;
  application_id: string;
  status: 'active' | 'rotated' | 'revoked';
  /** 1 once the token's family is revoked (on the family's root row: the lock rotation takes). */
  family_revoked: Generated<number>;
  /** The SSO session (its public id) the token was issued under, if any. */
  session_id: string | null;
  data: string;
  insert_instant: number;
  expires_at: number;
}

/** Authorization requests waiting for the upstream login, and the codes they end in. */
export interface AuthorizationTransactionRow {
  /** SHA-256 (base64url) of the handle (upstream `state` or authorization code). */
  handle_hash: string;
  kind: 'request' | 'code' | 'interaction';
  /** `open` until taken once; a taken code is kept until it expires, to detect reuse. */
  status: 'open' | 'taken';
  tenant_id: string;
  data: string;
  insert_instant: number;
  expires_at: number;
}

/** A browser's SSO session at a tenant, by the hash of its cookie secret. */
export interface SsoSessionRow {
  secret_hash: string;
  /** The public session id (`sid` in ID tokens). */
  id: string;
  tenant_id: string;
  user_id: string;
  identity_provider_id: string;
  /** Seconds since the epoch of the upstream login. */
  auth_time: number;
  data: string;
  insert_instant: number;
  expires_at: number;
}

/** Webhooks (FusionAuth `/api/webhook`): global objects, the whole object in `data`. */
export interface WebhookRow {
  id: string;
  url: string;
  data: string;
  insert_instant: number;
  last_update_instant: number;
}

/**
 * The transactional outbox: one row per (event, webhook), written in the transaction of the
 * change it reports and delivered afterwards. `locked_until` is a claim's lease: a node that
 * dies mid-delivery loses its claim when the lease runs out.
 */
export interface WebhookOutboxRow {
  id: string;
  event_id: string;
  event_type: string;
  webhook_id: string;
  tenant_id: string | null;
  /** The exact request body (`{"event": {...}}`), signed and sent as these bytes. */
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  last_error: string | null;
  insert_instant: number;
  completed_instant: number | null;
}

export interface MetaRow {
  name: string;
  value: string;
}

export interface Database {
  tenants: TenantRow;
  applications: ApplicationRow;
  users: UserRow;
  registrations: RegistrationRow;
  api_keys: ApiKeyRow;
  keys: KeyRow;
  tenant_signing_keys: TenantSigningKeyRow;
  used_jtis: UsedJtiRow;
  revoked_tokens: RevokedTokenRow;
  meta: MetaRow;
  smart_roles: SmartRoleRow;
  event_log: EventLogRow;
  lambdas: LambdaRow;
  identity_providers: IdentityProviderRow;
  identity_provider_links: IdentityProviderLinkRow;
  pending_actions: PendingActionRow;
  refresh_tokens: RefreshTokenRow;
  authorization_transactions: AuthorizationTransactionRow;
  sso_sessions: SsoSessionRow;
  webhooks: WebhookRow;
  webhook_outbox: WebhookOutboxRow;
}
