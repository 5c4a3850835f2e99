import type { ConfigurationCache } from '../identity/configuration-cache.js';
import { isUuid } from '../lib/ids.js';
import type { Application, ExternalJwtIdentityProvider, Tenant } from '../store/records.js';
import { ReconcileError } from './reconcile-error.js';

/** Provider, application and tenant of a login, read from the configuration cache. */
export interface ResolvedLogin {
  provider: ExternalJwtIdentityProvider;
  application: Application;
  tenant: Tenant;
}

/** The External JWT provider with this id (enabled, unless a dry run asks for a disabled one too). */
export async function resolveProvider(configuration: ConfigurationCache, id: unknown, requireEnabled = true): Promise<ExternalJwtIdentityProvider> {
  const provider = isUuid(id) ? await configuration.provider(id) : undefined;
  if (!provider || provider.type !== 'ExternalJWT') throw new ReconcileError('InvalidIdentityProviderId', 'No External JWT identity provider has this id.');
  if (requireEnabled && !provider.enabled) throw new ReconcileError('InvalidIdentityProviderId', 'The identity provider is disabled.');
  return provider;
}

/** Provider, application and tenant of a request, checked against each other. */
export async function resolveLogin(
  configuration: ConfigurationCache,
  providerId: unknown,
  applicationId: unknown,
  tenantId: string | undefined,
  requireEnabled = true,
): Promise<ResolvedLogin> {
  const provider = await resolveProvider(configuration, providerId, requireEnabled);
  const application = isUuid(applicationId) ? await configuration.application(applicationId) : undefined;
  if (!application || !application.active) throw new ReconcileError('InvalidApplication', 'No active application has this id.');
  if (tenantId !== undefined && tenantId !== application.tenantId) throw new ReconcileError('InvalidApplication', 'The application belongs to another tenant.');
  if (provider.tenantId && provider.tenantId !== application.tenantId) throw new ReconcileError('InvalidIdentityProviderId', 'The identity provider belongs to another tenant.');
  if (requireEnabled && provider.applicationConfiguration[application.id]?.enabled !== true) {
    throw new ReconcileError('InvalidApplication', 'The identity provider is not enabled for this application.');
  }
  const tenant = await configuration.tenant(application.tenantId);
  if (!tenant) throw new ReconcileError('InvalidApplication', 'The application has no tenant.');
  return { provider, application, tenant };
}

/** The enabled providers an application may log in with (from the configuration cache; do not modify). */
export async function providersFor(configuration: ConfigurationCache, application: Application): Promise<ExternalJwtIdentityProvider[]> {
  return (await configuration.providers()).filter(
    (p) => p.enabled && p.applicationConfiguration[application.id]?.enabled === true && (!p.tenantId || p.tenantId === application.tenantId),
  );
}
