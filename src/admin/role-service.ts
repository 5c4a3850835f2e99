import { ApiError, FieldErrors } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import type { Clock } from '../lib/clock.js';
import { isUuid, newId } from '../lib/ids.js';
import { fieldsOf, optionalString } from './input-values.js';
import type { CrudOperation, JsonObject, PermissionOrigin, SmartPermission, SmartRole } from '../store/records.js';
import type { Store } from '../store/store.js';

/** What a role is created or replaced from. */
export interface RoleInput {
  id?: string;
  name?: string;
  permissions?: { resourceType?: string; operations?: string[]; origin?: string; grantedApplicationIds?: string[] }[];
}

const OPERATIONS: readonly CrudOperation[] = ['create', 'read', 'update', 'delete'];
const ORIGINS: readonly PermissionOrigin[] = ['all', 'own', 'granted'];
const RESOURCE_TYPE = /^(\*|[A-Z][A-Za-z]{0,63})$/;

/**
 * Roles of a SMART tenant (a Koppeltaal domain): permissions per resource type with an origin
 * rule (Koppeltaal `role`/`permission`/`permission_service_grant`). Admin API: `/api/smart/role`.
 */
export class RoleService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Called after every role write (clears the configuration cache the token endpoint reads roles from). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  list(tenantId: string): Promise<SmartRole[]> {
    return this.store.smartRoles.listByTenant(tenantId);
  }

  async get(tenantId: string, id: string): Promise<SmartRole> {
    const role = await this.store.smartRoles.findById(id);
    if (!role || role.tenantId !== tenantId) throw ApiError.notFound();
    return role;
  }


  async create(tenantId: string, input: RoleInput, id?: string): Promise<SmartRole> {
    const role = this.build(tenantId, fieldsOf(input), id ?? optionalString(input.id) ?? newId());
    await this.validate(role, true);
    await this.store.smartRoles.insert(role);
    this.onChange();
    return role;
  }

  /** Replaces the role (PUT; a PATCH arrives here merged). */
  async update(tenantId: string, id: string, input: RoleInput): Promise<SmartRole> {
    const existing = await this.get(tenantId, id);
    const role = this.build(tenantId, fieldsOf(input), id, existing);
    await this.validate(role, false);
    await this.store.smartRoles.update(role);
    this.onChange();
    return role;
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.get(tenantId, id);
    const users = (await this.store.applications.listByTenant(tenantId)).filter((a) => a.smartConfiguration?.roleId === id);
    if (users.length > 0) throw ApiError.general(400, '[RoleInUse]', `The role is assigned to ${users.length} application(s).`);
    await this.store.smartRoles.delete(id);
    this.onChange();
  }

  private build(tenantId: string, input: JsonObject, id: string, existing?: SmartRole): SmartRole {
    const now = this.clock.now();
    const permissions = Array.isArray(input.permissions) ? input.permissions : [];
    return {
      id,
      tenantId,
      name: typeof input.name === 'string' ? input.name.trim() : '',
      permissions: permissions.map((p): SmartPermission => {
        const permission = isPlainObject(p) ? p : {};
        return {
          resourceType: typeof permission.resourceType === 'string' ? permission.resourceType : '',
          operations: Array.isArray(permission.operations) ? (permission.operations as CrudOperation[]) : [],
          origin: (permission.origin as PermissionOrigin | undefined) ?? 'all',
          grantedApplicationIds: Array.isArray(permission.grantedApplicationIds) ? (permission.grantedApplicationIds as string[]) : [],
        };
      }),
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  }

  private async validate(role: SmartRole, creating: boolean): Promise<void> {
    const errors = new FieldErrors();
    if (!isUuid(role.id)) errors.add('role.id', 'invalid', 'The role id must be a UUID.');
    if (!role.name) errors.add('role.name', 'blank', 'You must specify the [role.name] property.');
    role.permissions.forEach((p, i) => {
      const at = `role.permissions[${i}]`;
      if (!RESOURCE_TYPE.test(p.resourceType)) errors.add(`${at}.resourceType`, 'invalid', 'A FHIR resource type name, or *.');
      if (p.operations.length === 0 || !p.operations.every((o) => OPERATIONS.includes(o)) || new Set(p.operations).size !== p.operations.length) {
        errors.add(`${at}.operations`, 'invalid', `A non-empty set of ${OPERATIONS.join(', ')}.`);
      }
      if (!ORIGINS.includes(p.origin)) errors.add(`${at}.origin`, 'invalid', `One of ${ORIGINS.join(', ')}.`);
      if (!p.grantedApplicationIds.every(isUuid)) errors.add(`${at}.grantedApplicationIds`, 'invalid', 'Application ids (UUIDs).');
      if (p.origin !== 'granted' && p.grantedApplicationIds.length > 0) {
        errors.add(`${at}.grantedApplicationIds`, 'notAllowed', 'Only permissions with origin "granted" name applications.');
      }
    });
    errors.throwIfAny();
    if (creating && (await this.store.smartRoles.findById(role.id))) errors.add('role.id', 'duplicate', 'A role with this id exists.');
    const sameName = await this.store.smartRoles.findByName(role.tenantId, role.name);
    if (sameName && sameName.id !== role.id) errors.add('role.name', 'duplicate', 'A role with this name exists in this tenant.');
    errors.throwIfAny();
  }
}
