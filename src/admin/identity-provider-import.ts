import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import { ApiError, FieldErrors } from '../lib/api-error.js';
import { outboundUrlProblem } from '../lib/bounded-fetch.js';
import type { FetchPolicy } from '../lib/bounded-fetch.js';
import { DiscoveryError, discoveryUrlOf, issuersOfDiscoveryUrl, readDiscoveryDocument } from '../idp/upstream-discovery.js';
import type { JsonObject } from '../store/records.js';

/** `POST /api/identity-provider/import-config`: a discovery URL, or an issuer whose §4.1 URL is read. */
export interface ImportConfigInput {
  discoveryUrl?: string;
  issuer?: string;
}

/**
 * What a discovery document would configure (Keycloak's `import-config`), read now and saved
 * nowhere: the issuer it names (checked per OpenID Connect Discovery 1.0 §4.3 against `issuer`,
 * else against the issuer its URL implies, with or without a terminating `/`), the endpoints,
 * the JWKS URL and the ID-token algorithms Gatehouse accepts of them, in the shape of an
 * identity provider body. An unusable document is a 400 whose general error code names why
 * (`DISCOVERY_FETCH_FAILED`, `DISCOVERY_NOT_JSON`, `DISCOVERY_ISSUER_MISMATCH`,
 * `DISCOVERY_FIELD_MISSING`, `DISCOVERY_FIELD_INVALID`).
 */
export async function previewDiscovery(input: ImportConfigInput, policy: FetchPolicy): Promise<JsonObject> {
  const errors = new FieldErrors();
  const url = input.discoveryUrl ?? (input.issuer ? discoveryUrlOf(input.issuer) : undefined);
  if (!url) errors.add('discoveryUrl', 'blank', 'Give the discoveryUrl of the OpenID provider, or its issuer.');
  else {
    const problem = outboundUrlProblem(url, policy);
    if (problem) errors.add('discoveryUrl', problem.code, `Not an allowed URL: ${problem.message}.`);
    else if (!input.issuer && issuersOfDiscoveryUrl(url).length === 0) errors.add('issuer', 'blank', 'The discoveryUrl does not end in /.well-known/openid-configuration: give the issuer it must name.');
  }
  errors.throwIfAny();
  let metadata;
  try {
    metadata = await readDiscoveryDocument(url!, input.issuer ? [input.issuer] : issuersOfDiscoveryUrl(url!), policy);
  } catch (error) {
    if (error instanceof DiscoveryError) throw ApiError.general(400, error.code, error.message, { discoveryUrl: url });
    throw error;
  }
  const algorithms = metadata.id_token_signing_alg_values_supported?.filter((a) => (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a));
  return {
    identityProvider: {
      issuer: metadata.issuer,
      jwksUri: metadata.jwks_uri,
      ...(algorithms && algorithms.length > 0 ? { allowedAlgorithms: algorithms } : {}),
      oauth2: {
        discoveryUrl: url,
        authorization_endpoint: metadata.authorization_endpoint,
        token_endpoint: metadata.token_endpoint,
        ...(metadata.userinfo_endpoint ? { userinfo_endpoint: metadata.userinfo_endpoint } : {}),
        ...(metadata.end_session_endpoint ? { end_session_endpoint: metadata.end_session_endpoint } : {}),
      },
    },
    metadata: metadata as unknown as JsonObject,
  };
}
