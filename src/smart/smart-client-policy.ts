import type { Clock } from '../lib/clock.js';
import { TtlCache } from '../lib/ttl-cache.js';
import { DEFAULT_CACHE_LIFETIMES } from '../config/cache-lifetimes.js';
import type { Application, SmartRole, Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';
import { deriveScopes } from './scope-derivation.js';
import { formatResourceScope, intersectScopes, parseResourceScope } from './scope-grammar.js';
import type { ResourceScope } from './scope-grammar.js';
import { fhirBaseOf } from './smart-urls.js';

/** SMART Backend Services: "SHOULD NOT exceed" five minutes (`expires_in`); Koppeltaal issues 300 s. */
export const SMART_MAX_TOKEN_LIFETIME = 300;

/** Where the policy reads a role: the configuration cache in the server (cleared by role writes), the store otherwise. */
export interface SmartRoleSource {
  role(id: string): Promise<SmartRole | undefined>;
}

/** What SMART grants a client: its scopes, or why nothing (the OAuth layer answers `invalid_scope`). */
export type SmartScopeGrant = { scopes: string[] } | { refused: 'NO_ROLE_SCOPES' | 'NONE_GRANTED'; description: string };

/** The application's FHIR Device id: configured, else its client id (TOP-KT-005c). */
export const deviceIdOf = (application: Application): string => application.smartConfiguration?.deviceId ?? application.oauthConfiguration.clientId;

/**
 * Client credentials on a SMART tenant (a Koppeltaal domain): scopes come from the
 * application's role, written as the Koppeltaal reference does. A request for `*`, an empty
 * or absent `scope` gets every role scope; v2 (`system/Patient.rs`) and v1 (`system/*.read`)
 * requests get their intersection with the role (SMART: "within pre-authorized scopes").
 * Nothing grantable is a refusal: the granted `scope` is never empty.
 */
export class SmartClientPolicy {
  private readonly devices: TtlCache<string | undefined>;
  private readonly derived: TtlCache<string[]>;

  constructor(
    private readonly store: Store,
    clock: Clock,
    private readonly publicUrl: string,
    ttlMs: number = DEFAULT_CACHE_LIFETIMES.configurationMs,
    private readonly roles: SmartRoleSource = { role: (id) => store.smartRoles.findById(id) },
  ) {
    this.devices = new TtlCache(clock, ttlMs);
    this.derived = new TtlCache(clock, ttlMs);
  }

  async grantScopes(tenant: Tenant, application: Application, requested: string[] | undefined): Promise<SmartScopeGrant> {
    const roleScopes = await this.roleScopes(tenant, application);
    if (roleScopes.length === 0) return { refused: 'NO_ROLE_SCOPES', description: 'This client has no role with permissions in this domain.' };
    if (requested === undefined || requested.length === 0 || (requested.length === 1 && requested[0] === '*')) return { scopes: roleScopes };
    const granted = roleScopes.map(parseResourceScope).filter((s): s is ResourceScope => s !== undefined);
    const result: string[] = [];
    for (const token of requested) {
      const wanted = parseResourceScope(token);
      if (!wanted) continue;
      for (const scope of granted) {
        const common = intersectScopes(wanted, scope);
        if (common) result.push(formatResourceScope(common));
      }
    }
    const unique = [...new Set(result)];
    if (unique.length === 0) return { refused: 'NONE_GRANTED', description: 'None of the requested scopes is granted to this client.' };
    return { scopes: unique };
  }

  /** The token's audience (the FHIR server) and its lifetime: the configured one, at most five minutes. */
  token(tenant: Tenant, configuredLifetimeSeconds: number): { audience: string; lifetimeSeconds: number } {
    return {
      audience: tenant.smartConfiguration?.accessTokenAudience ?? fhirBaseOf(this.publicUrl, tenant),
      lifetimeSeconds: Math.min(configuredLifetimeSeconds, SMART_MAX_TOKEN_LIFETIME),
    };
  }

  /**
   * The role's scopes for this application, in the Koppeltaal reference format. Kept per version
   * of the application and of the role; the role comes from the role source (in the server the
   * configuration cache, which every role write clears), so a role change applies to this node's
   * next token and to other nodes' within the cache lifetime; granted devices likewise.
   */
  async roleScopes(tenant: Tenant, application: Application): Promise<string[]> {
    const roleId = application.smartConfiguration?.roleId;
    const stored = roleId ? await this.roles.role(roleId) : undefined;
    const role = stored?.tenantId === tenant.id ? stored : undefined;
    if (!role) return [];
    const key = `${application.id}\u0000${application.lastUpdateInstant}\u0000${role.id}\u0000${role.lastUpdateInstant}`;
    return this.derived.getOrLoad(key, () => this.deriveRoleScopes(tenant, application, role));
  }

  private async deriveRoleScopes(tenant: Tenant, application: Application, role: SmartRole): Promise<string[]> {
    const grantedIds = [...new Set(role.permissions.flatMap((p) => p.grantedApplicationIds))];
    const devices = new Map<string, string | undefined>();
    for (const id of grantedIds) devices.set(id, await this.grantedDevice(tenant.id, id));
    return deriveScopes(role, deviceIdOf(application), (id) => devices.get(id));
  }

  private grantedDevice(tenantId: string, applicationId: string): Promise<string | undefined> {
    return this.devices.getOrLoad(`${tenantId}\u0000${applicationId}`, async () => {
      const application = await this.store.applications.findById(applicationId);
      return application && application.tenantId === tenantId ? deviceIdOf(application) : undefined;
    });
  }
}
