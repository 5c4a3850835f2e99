import { Type } from 'typebox';
import { FreeObject, LIMITS, SafeString, SafeText, Uuid } from './common.js';

const open = { additionalProperties: true } as const;

/** `POST /api/key/generate`. Unknown fields are accepted and ignored (FusionAuth's key object). */
export const GenerateKeyBody = Type.Object(
  {
    key: Type.Object(
      {
        id: Type.Optional(Uuid()),
        name: Type.Optional(SafeString(LIMITS.name)),
        algorithm: Type.Optional(SafeString(16, { description: 'ES256, ES384, ES512, RS256…PS512, EdDSA.' })),
        length: Type.Optional(Type.Integer({ description: 'RSA modulus bits (at least 2048).' })),
        issuer: Type.Optional(SafeString(LIMITS.url)),
      },
      open,
    ),
  },
  open,
);

/** `POST /api/key/import`: a PEM public key, an X.509 certificate, a JWK or a key pair. */
export const ImportKeyBody = Type.Object(
  {
    key: Type.Object(
      {
        id: Type.Optional(Uuid()),
        name: Type.Optional(SafeString(LIMITS.name)),
        algorithm: Type.Optional(SafeString(16)),
        kid: Type.Optional(SafeString(LIMITS.name)),
        publicKey: Type.Optional(SafeText(LIMITS.pem)),
        privateKey: Type.Optional(SafeText(LIMITS.pem)),
        certificate: Type.Optional(SafeText(LIMITS.pem)),
        jwk: Type.Optional(FreeObject('Gatehouse: a public JWK.')),
        type: Type.Optional(SafeString(16)),
        secret: Type.Optional(SafeString(LIMITS.pem, { description: 'An HMAC key\'s shared secret (HS256 at least 32 bytes).' })),
      },
      open,
    ),
  },
  open,
);
