import type { AuthenticatedClient } from '../client-auth/authenticated-client.js';
import type { EndpointRequest, OAuthContext } from '../context.js';

/** A token response body (RFC 6749 §5.1, RFC 8693 §2.2.1). */
export type TokenResponse = Record<string, unknown>;

/**
 * A grant is data: its type, the parameters it requires, and a handler (the node-oidc-provider
 * pattern). The token endpoint authenticates the client and checks the parameters first.
 */
export interface Grant {
  grantType: string;
  /** Parameters that must be present (RFC 6749 §5.2 `invalid_request` otherwise). */
  parameters: readonly string[];
  handle(ctx: OAuthContext, request: EndpointRequest, client: AuthenticatedClient): Promise<TokenResponse>;
}

export class GrantRegistry {
  private readonly grants = new Map<string, Grant>();

  register(grant: Grant): this {
    if (this.grants.has(grant.grantType)) throw new Error(`grant ${grant.grantType} registered twice`);
    this.grants.set(grant.grantType, grant);
    return this;
  }

  get(grantType: string): Grant | undefined {
    return this.grants.get(grantType);
  }

  types(): string[] {
    return [...this.grants.keys()];
  }
}
