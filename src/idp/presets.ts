import { ApiError, FieldErrors } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import type { JsonObject } from '../store/records.js';

export const HEALTH_ID_MIMOTO = 'health-id-mimoto';
/** The mimoto test environment (TU); the reference environment is `https://mimoto-ref.pie.azuma-health.tech/`. */
export const MIMOTO_TEST_ISSUER = 'https://mimoto-test.pie.azuma-health.tech/';

/**
 * Provider presets: `"preset": "health-id-mimoto"` fills what a GesundheitsID login through azuma
 * mimoto needs (reference `health-id-mimoto.md`): the issuer with its trailing slash, the JWKS at
 * `{issuer}.well-known/jwks` (so a key rotation needs no re-import), the globally unique
 * `ext-mimoto-original-sub-unique` as link key and username, the email from
 * `urn:telematik:claims:email`, the KVNR into `user.data.kvnr`, names and `birthdate`, and
 * mimoto's `/connect/auth` and `/connect/token` with the scope `openid urn:telematik:versicherter`
 * for the browser login (used once `oauth2.client_id` is set), and mimoto's discovery document
 * `{issuer}.well-known/openid-configuration`, whose endpoints and `jwks_uri` win while it can be
 * read (the hand-filled ones stand in when it cannot). Every field given in the request wins
 * over the preset. `audiences` (the app's mimoto client id) is
 * required: without it any ID token mimoto issued to any client would log in (Keycloak #51000).
 */
export function applyPreset(input: JsonObject): JsonObject {
  const preset = input.preset;
  if (preset === undefined) return input;
  if (preset !== HEALTH_ID_MIMOTO) {
    throw ApiError.field(400, 'identityProvider.preset', 'invalid', `Known presets: ${HEALTH_ID_MIMOTO}.`);
  }
  const errors = new FieldErrors();
  if (!Array.isArray(input.audiences) || input.audiences.length === 0) {
    errors.add('identityProvider.audiences', 'blank', 'The health-id-mimoto preset needs audiences: your application\'s mimoto client id, so ID tokens issued to other clients are refused.');
  }
  errors.throwIfAny();
  const issuer = typeof input.issuer === 'string' && input.issuer !== '' ? input.issuer : MIMOTO_TEST_ISSUER;
  const base = issuer.endsWith('/') ? issuer : `${issuer}/`;
  const { preset: _preset, ...rest } = input;
  return {
    type: 'ExternalJWT',
    name: 'GesundheitsID (azuma mimoto)',
    headerKeyParameter: 'kid',
    linkingStrategy: 'LinkByUsername',
    jwksUri: `${base}.well-known/jwks`,
    attributeMappings: {
      'user.data.kvnr': '/urn:telematik:claims:id',
      'user.firstName': '/urn:telematik:claims:given_name',
      'user.lastName': '/urn:telematik:claims:family_name',
      'user.fullName': '/urn:telematik:claims:display_name',
      'user.birthDate': '/birthdate',
    },
    ...rest,
    issuer,
    oauth2: {
      authorization_endpoint: `${base}connect/auth`,
      token_endpoint: `${base}connect/token`,
      discoveryUrl: `${base}.well-known/openid-configuration`,
      scope: 'openid urn:telematik:versicherter',
      uniqueIdClaim: 'ext-mimoto-original-sub-unique',
      emailClaim: 'urn:telematik:claims:email',
      usernameClaim: 'ext-mimoto-original-sub-unique',
      ...(isPlainObject(input.oauth2) ? input.oauth2 : {}),
    },
    data: { ...(isPlainObject(input.data) ? input.data : {}), preset: HEALTH_ID_MIMOTO },
  };
}
