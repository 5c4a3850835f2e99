import type { WebhookOutbox } from '../events/webhook-outbox.js';
import { ApiError, FieldErrors } from '../lib/api-error.js';
import type { Clock } from '../lib/clock.js';
import { isUuid } from '../lib/ids.js';
import type { ExternalJwtIdentityProvider, IdentityProviderLink, JsonObject, PendingIdentity } from '../store/records.js';
import type { Store } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { assertLinkAllowed } from '../identity/linking-strategy.js';
import { LinkRefusal } from '../identity/link-refusal.js';

/** A link to make, or with `pendingIdPLinkId` the user who completes a pending one. */
export interface LinkInput {
  identityProviderId?: string;
  identityProviderUserId?: string;
  userId?: string;
  displayName?: string;
  token?: string;
}

/** Which links to find or remove (the Link API's query parameters). */
export interface LinkQuery {
  identityProviderId?: string;
  identityProviderUserId?: string;
  userId?: string;
}

/** FusionAuth's link response object: the stored link plus the provider's name and type. */
export type LinkView = Omit<IdentityProviderLink, 'token'> & { identityProviderName: string; identityProviderType: 'ExternalJWT'; token?: string };

/**
 * FusionAuth Link API (`/api/identity-provider/link`): link, list, unlink, and complete a pending
 * link (CreatePendingLink) created by a login. All calls are scoped to one tenant.
 */
export class LinkService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** The webhook outbox: `user.identity-provider.link` is written with the link. */
    private readonly webhooks?: WebhookOutbox,
  ) {}

  /**
   * `POST /api/identity-provider/link`: `{identityProviderLink: {identityProviderId,
   * identityProviderUserId, userId, displayName, token}}`, or `{pendingIdPLinkId,
   * identityProviderLink: {userId}}` to complete a pending link. The flat body is accepted too.
   */
  async link(tenantId: string, link: LinkInput, pendingIdPLinkId?: string): Promise<LinkView> {
    const input = { pendingIdPLinkId };
    const errors = new FieldErrors();
    const userId = link.userId;
    if (!isUuid(userId)) errors.add('identityProviderLink.userId', 'blank', 'Give the id of the user to link.');
    let identityProviderId = link.identityProviderId;
    let identityProviderUserId = link.identityProviderUserId;
    let displayName = typeof link.displayName === 'string' ? link.displayName.slice(0, 191) : undefined;
    let pendingId: string | undefined;
    if (input.pendingIdPLinkId !== undefined) {
      const pending = isUuid(input.pendingIdPLinkId) ? await this.store.pendingActions.find(input.pendingIdPLinkId, 'link', this.clock.now()) : undefined;
      if (!pending || pending.tenantId !== tenantId) {
        errors.add('pendingIdPLinkId', 'invalid', 'No pending link with this id, or it has expired.');
      } else {
        const identity = pending.identity as PendingIdentity;
        pendingId = pending.id;
        identityProviderId = identity.identityProviderId;
        identityProviderUserId = identity.identityProviderUserId;
        displayName = identity.displayName;
      }
    } else {
      if (!isUuid(identityProviderId)) errors.add('identityProviderLink.identityProviderId', 'blank', 'Give the id of the identity provider.');
      if (typeof identityProviderUserId !== 'string' || identityProviderUserId === '' || identityProviderUserId.length > 255) {
        errors.add('identityProviderLink.identityProviderUserId', 'blank', 'Give the external identity (the unique id claim), at most 255 characters.');
      }
    }
    errors.throwIfAny();
    const provider = await this.provider(identityProviderId as string);
    if (provider.tenantId && provider.tenantId !== tenantId) throw ApiError.field(400, 'identityProviderLink.identityProviderId', 'invalid', 'The identity provider belongs to another tenant.');
    const user = await this.store.users.findById(userId as string);
    if (!user || user.tenantId !== tenantId) throw ApiError.field(400, 'identityProviderLink.userId', 'invalid', 'No user of this tenant has this id.');
    try {
      await assertLinkAllowed(this.store, provider, tenantId, user, true);
    } catch (error) {
      if (error instanceof LinkRefusal) throw ApiError.general(400, error.publicCode, error.message);
      throw error;
    }
    const now = this.clock.now();
    const created: IdentityProviderLink = {
      tenantId,
      identityProviderId: provider.id,
      identityProviderUserId: identityProviderUserId as string,
      userId: user.id,
      ...(displayName ? { displayName } : {}),
      ...(typeof link.token === 'string' && link.token !== '' ? { token: link.token } : {}),
      insertInstant: now,
      lastLoginInstant: now,
    };
    try {
      await this.store.transaction(async (tx) => {
        if (pendingId && !(await tx.pendingActions.consume(pendingId))) {
          throw ApiError.field(400, 'pendingIdPLinkId', 'invalid', 'The pending link was completed already.');
        }
        await tx.links.insert(created);
        if (this.webhooks) {
          const { token: _token, ...identityProviderLink } = this.view(created, provider);
          const linked = { ...user, registrations: (await tx.registrations.listByUser(user.id)).map(({ tenantId: _t, ...r }) => r) };
          await this.webhooks.emit(tx, [this.webhooks.event('user.identity-provider.link', tenantId, { user: linked, identityProviderLink })]);
        }
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw ApiError.general(400, '[ExternalAuthenticationException]UserAlreadyLinked', 'This external identity is already linked to a user.');
      }
      throw error;
    }
    return this.view(created, provider);
  }

  /** `GET /api/identity-provider/link` by provider and external id (optionally user), or by user. */
  async find(tenantId: string, query: LinkQuery): Promise<{ identityProviderLink: LinkView } | { identityProviderLinks: LinkView[] }> {
    const { identityProviderId, identityProviderUserId, userId } = query;
    if (typeof identityProviderUserId === 'string' && identityProviderUserId !== '') {
      if (!isUuid(identityProviderId)) throw ApiError.field(400, 'identityProviderId', 'blank', 'Give identityProviderId with identityProviderUserId.');
      const link = await this.store.links.find(tenantId, identityProviderId, identityProviderUserId);
      if (!link || (userId !== undefined && link.userId !== userId)) throw ApiError.notFound();
      return { identityProviderLink: this.view(link, await this.provider(link.identityProviderId)) };
    }
    if (!isUuid(userId)) throw ApiError.field(400, 'userId', 'blank', 'Give userId, or identityProviderId with identityProviderUserId.');
    const user = await this.store.users.findById(userId);
    if (!user || user.tenantId !== tenantId) throw ApiError.notFound();
    const links = await this.store.links.listByUser(userId, isUuid(identityProviderId) ? identityProviderId : undefined);
    const views: LinkView[] = [];
    for (const link of links) views.push(this.view(link, await this.provider(link.identityProviderId)));
    return { identityProviderLinks: views };
  }

  /** `GET /api/identity-provider/link/pending/{id}`: what a login left for completion. */
  async pending(tenantId: string, id: string): Promise<JsonObject> {
    const pending = isUuid(id) ? await this.store.pendingActions.find(id, 'link', this.clock.now()) : undefined;
    if (!pending || pending.tenantId !== tenantId) throw ApiError.notFound();
    const identity = pending.identity as PendingIdentity;
    const provider = await this.provider(identity.identityProviderId);
    return {
      pendingIdPLink: {
        displayName: identity.displayName,
        email: identity.email,
        identityProviderId: provider.id,
        identityProviderName: provider.name,
        identityProviderType: provider.type,
        identityProviderTenantConfiguration: provider.tenantConfiguration[tenantId] ?? { limitUserLinkCount: { enabled: false, maximumLinks: 42 } },
        identityProviderUserId: identity.identityProviderUserId,
        username: identity.username,
      },
    };
  }

  /** `DELETE /api/identity-provider/link?identityProviderId=&identityProviderUserId=&userId=`. */
  async unlink(tenantId: string, query: LinkQuery): Promise<LinkView> {
    const { identityProviderId, identityProviderUserId, userId } = query;
    if (!isUuid(identityProviderId) || typeof identityProviderUserId !== 'string' || !isUuid(userId)) {
      throw ApiError.general(400, '[invalid]link', 'Give identityProviderId, identityProviderUserId and userId.');
    }
    const link = await this.store.links.find(tenantId, identityProviderId, identityProviderUserId);
    if (!link || link.userId !== userId) throw ApiError.notFound();
    await this.store.links.delete(tenantId, identityProviderId, identityProviderUserId, userId);
    return this.view(link, await this.provider(identityProviderId));
  }

  private async provider(id: string): Promise<ExternalJwtIdentityProvider> {
    const provider = await this.store.identityProviders.findById(id);
    if (!provider) throw ApiError.field(400, 'identityProviderLink.identityProviderId', 'invalid', 'No identity provider has this id.');
    return provider;
  }

  private view(link: IdentityProviderLink, provider: ExternalJwtIdentityProvider): LinkView {
    return { ...link, identityProviderName: provider.name, identityProviderType: provider.type };
  }
}
