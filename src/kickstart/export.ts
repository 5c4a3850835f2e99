import { stringify as stringifyYaml } from 'yaml';
import { BOOTSTRAP_KEY_DESCRIPTION, GENERATED_API_KEY_ID } from '../admin/api-key-service.js';
import type { ApiKey, ExternalJwtIdentityProvider, JsonObject, Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';
import { keyEntries } from './export-keys.js';
import { apiKeyEntry, applicationEntry, identityProviderEntry, lambdaEntry, roleEntry, tenantEntry, userEntry } from './export-objects.js';
import { byLabel, ExportVariables, toKickstartValue } from './export-values.js';
import type { VariableToFill } from './export-values.js';
import { KickstartError } from './kickstart.js';

export interface ExportOptions {
  /** Only this tenant, its API keys and identity providers, and the keys and lambdas they use. */
  tenantSlug?: string;
  /** Include users' profiles (not their registrations or links). */
  users?: boolean;
}

export interface KickstartExport {
  /** The kickstart document, as `gatehouse kickstart` applies it. */
  document: JsonObject;
  /** The variables the operator fills in before applying it (one per secret left out). */
  variables: readonly VariableToFill[];
}

/**
 * `gatehouse export`: the deployment's configuration as a kickstart file. Applied to an empty
 * data dir it recreates the same tenants, roles, applications, keys, lambdas, identity providers
 * and API keys (except those start-up makes) under the same ids. Secrets and private keys are never written: a client secret,
 * an upstream client secret or an API key is a `${VARIABLE}` listed in `variables`; a key pair
 * is written as a request to generate a new one; a tenant gets a new signing key.
 */
export async function exportKickstart(store: Store, options: ExportOptions = {}): Promise<KickstartExport> {
  const variables = new ExportVariables();
  let tenants = (await store.tenants.list()).sort(byLabel((t) => t.slug));
  let providers = (await store.identityProviders.list()).sort(byLabel((p) => p.name));
  let apiKeys = (await store.apiKeys.list()).filter((k) => !madeAtStart(k)).sort(byLabel((k) => k.metaData.attributes.description ?? ''));
  if (options.tenantSlug !== undefined) {
    const tenant = tenants.find((t) => t.slug === options.tenantSlug);
    if (!tenant) throw new KickstartError(`no tenant with slug ${options.tenantSlug}`);
    tenants = [tenant];
    providers = providers.filter((p) => p.tenantId === tenant.id);
    apiKeys = apiKeys.filter((k) => k.tenantId === tenant.id);
  }
  const keys = (await store.keys.list()).filter((k) => options.tenantSlug === undefined || usedBy(providers, k.id)).sort(byLabel((k) => k.name));
  const lambdaIds = new Set(providers.map((p) => p.lambdaConfiguration.reconcileId));
  const lambdas = (await store.lambdas.list()).filter((l) => options.tenantSlug === undefined || lambdaIds.has(l.id)).sort(byLabel((l) => l.name));

  // Built in file order, one tenant after the other, so that variables are named in that order.
  const document: JsonObject = { apiKeys: apiKeys.map((k) => apiKeyEntry(k, variables)), keys: await keyEntries(store, keys), lambdas: lambdas.map(lambdaEntry) };
  const tenantEntries: JsonObject[] = [];
  for (const tenant of tenants) tenantEntries.push(await tenantWithChildren(store, tenant, variables, options.users === true));
  document.tenants = tenantEntries;
  document.identityProviders = providers.map((p) => identityProviderEntry(p, variables));
  const nonEmpty = Object.fromEntries(Object.entries(document).filter(([, list]) => (list as unknown[]).length > 0));
  const variablesSection = variables.section();
  return {
    document: toKickstartValue({ ...(variables.list.length > 0 ? { variables: variablesSection } : {}), ...nonEmpty }) as JsonObject,
    variables: variables.list,
  };
}

async function tenantWithChildren(store: Store, tenant: Tenant, variables: ExportVariables, withUsers: boolean): Promise<JsonObject> {
  const roles = (await store.smartRoles.listByTenant(tenant.id)).sort(byLabel((r) => r.name));
  const applications = (await store.applications.listByTenant(tenant.id)).sort(byLabel((a) => a.oauthConfiguration.clientId));
  const users = withUsers ? (await store.users.listByTenant(tenant.id)).sort(byLabel((u) => u.email ?? u.username ?? '')) : [];
  return {
    ...tenantEntry(tenant),
    ...(roles.length > 0 ? { roles: roles.map(roleEntry) } : {}),
    ...(applications.length > 0 ? { applications: applications.map((a) => applicationEntry(a, tenant, variables)) } : {}),
    ...(users.length > 0 ? { users: users.map(userEntry) } : {}),
  };
}

/**
 * The key generated at first start and the one ensured from `GATEHOUSE_BOOTSTRAP_API_KEY`: start-up
 * makes them on the new deployment as it did here, and a file holding them would collide with them.
 */
const madeAtStart = (key: ApiKey): boolean => key.id === GENERATED_API_KEY_ID || key.metaData.attributes.description === BOOTSTRAP_KEY_DESCRIPTION;

const usedBy = (providers: readonly ExternalJwtIdentityProvider[], keyId: string): boolean => providers.some((p) => p.verificationKeyIds.includes(keyId));

/** The export as file text: JSON when the file name ends in `.json`, YAML (with a header) otherwise. */
export function renderExport(exported: KickstartExport, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(exported.document, null, 2)}\n`;
  const width = Math.max(0, ...exported.variables.map((v) => v.name.length));
  const header = [
    'Gatehouse configuration (gatehouse export). Apply it with `gatehouse kickstart FILE`',
    'or `gatehouse start --kickstart FILE`; objects keep their ids, so applying it again updates them.',
    'Not exported: secrets and private keys. Key pairs below are generated anew, and each tenant',
    'gets a new signing key, so tokens of this deployment do not verify against the new one.',
    ...(exported.variables.length > 0
      ? ['To fill before applying: set each environment variable, or write the value into `variables`:', ...exported.variables.map((v) => `  ${v.name.padEnd(width)}  ${v.description}`)]
      : []),
  ];
  return `${header.map((line) => `# ${line}`.trimEnd()).join('\n')}\n${stringifyYaml(exported.document, { lineWidth: 0 })}`;
}
