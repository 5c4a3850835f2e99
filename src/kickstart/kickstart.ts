import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ApiKeyService } from '../admin/api-key-service.js';
import type { ApplicationService } from '../admin/application-service.js';
import type { IdentityProviderService } from '../admin/identity-provider-service.js';
import type { LambdaService } from '../admin/lambda-service.js';
import type { RoleService } from '../admin/role-service.js';
import type { TenantService } from '../admin/tenant-service.js';
import type { UserService } from '../admin/user-service.js';
import type { KeyService } from '../keys/key-service.js';
import { ApiError } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import { isUuid } from '../lib/ids.js';
import type { JsonObject } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * Kickstart: one JSON or YAML file describing API keys, keys, lambdas, tenants and their SMART roles,
 * applications and users, and identity providers, applied idempotently at start (like FusionAuth Kickstart and Keycloak realm import) so a
 * deployment is reproducible from one file. Every object carries a fixed UUID: an object that
 * exists is updated to the file's state, one that does not is created. `${name}` takes a value
 * from `variables`, `${env.NAME}` from the environment (`${env.NAME:-fallback}` when it may be
 * unset; variables may use the environment too). It runs in one transaction: all or nothing.
 */
export interface KickstartSummary {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** The configuration services a kickstart file is applied through (the composition root passes them). */
export interface KickstartServices {
  store: Store;
  keys: Pick<KeyService, 'generate' | 'importKey'>;
  lambdas: Pick<LambdaService, 'create' | 'update'>;
  tenants: Pick<TenantService, 'create' | 'update'>;
  roles: Pick<RoleService, 'create' | 'update'>;
  applications: Pick<ApplicationService, 'create' | 'update'>;
  users: Pick<UserService, 'create' | 'update'>;
  identityProviders: Pick<IdentityProviderService, 'create' | 'update'>;
  apiKeys: Pick<ApiKeyService, 'create' | 'update'>;
}

/**
 * An object of the file as the input of a service. The file is not checked against the `/api`
 * schemas (they live at the HTTP edge); the services read every field defensively, so a wrong
 * type is ignored or refused with the service's own field error.
 */
const asInput = <T>(value: JsonObject): T => value as T;

export class KickstartError extends Error {
  constructor(message: string) {
    super(`kickstart: ${message}`);
    this.name = 'KickstartError';
  }
}

export function loadKickstartFile(file: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new KickstartError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new KickstartError(`${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (!isPlainObject(document)) throw new KickstartError(`${file} must hold an object`);
  return document;
}

const TOP_LEVEL = ['variables', 'apiKeys', 'keys', 'lambdas', 'tenants', 'identityProviders'];
const TENANT_CHILDREN = ['roles', 'applications', 'users'];

export async function applyKickstart(services: KickstartServices, raw: JsonObject, env: NodeJS.ProcessEnv): Promise<KickstartSummary> {
  for (const key of Object.keys(raw)) if (!TOP_LEVEL.includes(key)) throw new KickstartError(`unknown top-level entry "${key}"`);
  const variables = isPlainObject(raw.variables) ? (substitute(raw.variables, {}, env, 'variables') as JsonObject) : {};
  const document = substitute(raw, variables, env, '') as JsonObject;
  const summary: KickstartSummary = { created: [], updated: [], unchanged: [] };

  for (const [i, key] of list(document.keys, 'keys').entries()) {
    const path = `keys[${i}]`;
    const id = requireId(key, path);
    if (await services.store.keys.findById(id)) {
      summary.unchanged.push(`key ${id}`);
      continue;
    }
    const importing = key.publicKey !== undefined || key.certificate !== undefined || key.jwk !== undefined || key.privateKey !== undefined;
    await at(path, () => (importing ? services.keys.importKey(key) : services.keys.generate(key)));
    summary.created.push(`key ${id}`);
  }

  for (const [i, lambda] of list(document.lambdas, 'lambdas').entries()) {
    const path = `lambdas[${i}]`;
    const id = requireId(lambda, path);
    await upsert(summary, path, `lambda ${id}`, () => services.store.lambdas.findById(id), () => services.lambdas.update(id, asInput(lambda)), () => services.lambdas.create(asInput(lambda), id));
  }

  for (const [i, input] of list(document.tenants, 'tenants').entries()) {
    const path = `tenants[${i}]`;
    const id = requireId(input, path);
    const tenant = Object.fromEntries(Object.entries(input).filter(([k]) => !TENANT_CHILDREN.includes(k)));
    // The console application is one of the tenant's own, applied below: named in a second pass.
    const { adminConsoleApplicationId, ...withoutConsole } = tenant;
    await upsert(summary, path, `tenant ${id}`, () => services.store.tenants.findById(id), () => services.tenants.update(id, asInput(withoutConsole)), () => services.tenants.create(asInput(withoutConsole), id));
    for (const [j, role] of list(input.roles, `${path}.roles`).entries()) {
      const rolePath = `${path}.roles[${j}]`;
      const roleId = requireId(role, rolePath);
      await upsert(summary, rolePath, `role ${roleId}`, () => services.store.smartRoles.findById(roleId), () => services.roles.update(id, roleId, asInput(role)), () => services.roles.create(id, asInput(role), roleId));
    }
    for (const [j, application] of list(input.applications, `${path}.applications`).entries()) {
      const appPath = `${path}.applications[${j}]`;
      const appId = requireId(application, appPath);
      await upsert(
        summary,
        appPath,
        `application ${appId}`,
        () => services.store.applications.findById(appId),
        () => services.applications.update(id, appId, asInput(application)),
        () => services.applications.create(id, asInput(application), appId),
      );
    }
    for (const [j, user] of list(input.users, `${path}.users`).entries()) {
      const userPath = `${path}.users[${j}]`;
      const userId = requireId(user, userPath);
      await upsert(summary, userPath, `user ${userId}`, () => services.store.users.findById(userId), () => services.users.update(id, userId, asInput(user)), () => services.users.create(id, asInput(user), userId));
    }
    if (adminConsoleApplicationId !== undefined) await at(path, () => services.tenants.update(id, asInput(tenant)));
  }

  // After tenants and applications, which providers name in their configuration.
  for (const [i, identityProvider] of list(document.identityProviders, 'identityProviders').entries()) {
    const path = `identityProviders[${i}]`;
    const id = requireId(identityProvider, path);
    await upsert(
      summary,
      path,
      `identityProvider ${id}`,
      () => services.store.identityProviders.findById(id),
      () => services.identityProviders.update(id, asInput(identityProvider)),
      () => services.identityProviders.create(asInput(identityProvider), id),
    );
  }

  for (const [i, input] of list(document.apiKeys, 'apiKeys').entries()) {
    const path = `apiKeys[${i}]`;
    const id = requireId(input, path);
    const { description, ...rest } = input;
    const apiKey: JsonObject = { ...rest, ...(typeof description === 'string' ? { metaData: { attributes: { description } } } : {}) };
    if (await services.store.apiKeys.findById(id)) {
      const { key: _key, ...updatable } = apiKey;
      await at(path, () => services.apiKeys.update(id, asInput(updatable)));
      summary.updated.push(`apiKey ${id}`);
    } else {
      if (typeof apiKey.key !== 'string') throw new KickstartError(`${path}.key is required (an API key created from a file must be known to its operator)`);
      await at(path, () => services.apiKeys.create(asInput(apiKey), id));
      summary.created.push(`apiKey ${id}`);
    }
  }
  return summary;
}

/** Updates the object when it exists, creates it otherwise, and records which in the summary. */
async function upsert(
  summary: KickstartSummary,
  path: string,
  label: string,
  find: () => Promise<{ id: string } | undefined>,
  update: () => Promise<unknown>,
  create: () => Promise<unknown>,
): Promise<void> {
  const existing = await find();
  await at(path, existing ? update : create);
  (existing ? summary.updated : summary.created).push(label);
}

function list(value: unknown, path: string): JsonObject[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isPlainObject)) throw new KickstartError(`${path} must be a list of objects`);
  return value as JsonObject[];
}

function requireId(value: JsonObject, path: string): string {
  if (!isUuid(value.id)) throw new KickstartError(`${path}.id must be a fixed UUID so that re-applying the file is idempotent`);
  return value.id;
}

/** Runs one step; a validation error is reported with the file path of the object. */
async function at<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ApiError) {
      const fields = error.fieldErrors.map((e) => `${e.field}: ${e.message}`);
      const general = error.generalErrors.map((e) => e.message);
      throw new KickstartError(`${path}: ${[...fields, ...general].join('; ') || `status ${error.status}`}`);
    }
    throw error;
  }
}

/**
 * Resolves `${name}`, `${env.NAME}` and `${env.NAME:-fallback}` in every string of `value`;
 * `$${…}` stands for the literal text `${…}` (an export writes lambda bodies that way).
 */
export function substitute(value: unknown, variables: JsonObject, env: NodeJS.ProcessEnv, path: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$(\$)?\{([A-Za-z0-9_.]+)(?::-([^}]*))?\}/g, (match: string, escaped: string | undefined, name: string, fallback: string | undefined) => {
      if (escaped) return match.slice(1);
      if (name.startsWith('env.')) {
        const fromEnv = env[name.slice(4)] ?? fallback;
        if (fromEnv === undefined) throw new KickstartError(`${path}: environment variable ${name.slice(4)} is not set`);
        return fromEnv;
      }
      const variable = variables[name];
      if (typeof variable !== 'string' && typeof variable !== 'number') throw new KickstartError(`${path}: unknown variable \${${name}}`);
      return String(variable);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, variables, env, `${path}[${i}]`));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, variables, env, path ? `${path}.${k}` : k)]));
  }
  return value;
}
