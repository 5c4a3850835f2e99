import type { ClaimMapTarget, ExternalJwtIdentityProvider, JsonObject, LinkingStrategy } from '../store/records.js';

export const LINKING_STRATEGIES: readonly LinkingStrategy[] = [
  'CreatePendingLink',
  'Disabled',
  'LinkAnonymously',
  'LinkByEmail',
  'LinkByEmailForExistingUser',
  'LinkByUsername',
  'LinkByUsernameForExistingUser',
];
export const CLAIM_TARGETS: readonly ClaimMapTarget[] = ['birthDate', 'firstName', 'lastName', 'fullName', 'middleName', 'mobilePhone', 'imageUrl', 'timezone', 'UserData', 'RegistrationData'];

/** The FusionAuth response shape: `defaultKeyId` (deprecated) reads as the first verification key. */
/** The provider as the API shows it: with FusionAuth's `defaultKeyId`, never the upstream client secret. */
export const viewIdentityProvider = (provider: ExternalJwtIdentityProvider): ExternalJwtIdentityProvider => {
  const { client_secret: _secret, ...oauth2 } = provider.oauth2;
  return {
    ...provider,
    oauth2,
    ...(provider.verificationKeyIds[0] ? { defaultKeyId: provider.verificationKeyIds[0] } : {}),
  };
};

/**
 * What a provider is created or replaced from: FusionAuth's External JWT provider object with
 * Gatehouse's additions, or a `preset` and the fields that override it. Fields are read
 * defensively (kickstart documents arrive unchecked); unknown ones are ignored.
 */
export interface IdentityProviderInput {
  id?: string;
  type?: string;
  preset?: string;
  name?: string;
  enabled?: boolean;
  debug?: boolean;
  applicationConfiguration?: Record<string, { enabled?: boolean; createRegistration?: boolean; allowPublicClients?: boolean }>;
  claimMap?: Record<string, string>;
  attributeMappings?: Record<string, string>;
  lambdaConfiguration?: { reconcileId?: string };
  linkingStrategy?: string;
  headerKeyParameter?: string;
  verificationKeyIds?: string[];
  defaultKeyId?: string;
  keys?: Record<string, string>;
  domains?: string[];
  oauth2?: Record<string, string | string[] | undefined>;
  uniqueIdentityClaim?: string;
  tenantConfiguration?: Record<string, { limitUserLinkCount?: { enabled?: boolean; maximumLinks?: number } }>;
  tenantId?: string;
  source?: string;
  data?: JsonObject;
  jwksUri?: string;
  issuer?: string;
  audiences?: string[];
  allowedAlgorithms?: string[];
  clockSkewSeconds?: number;
  maximumTokenAgeSeconds?: number;
}

export const UPSTREAM_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
