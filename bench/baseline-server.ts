/**
 * The baseline: the least a client_credentials grant with private_key_jwt can do. Fastify,
 * parse the form, verify one ES256 assertion against one known key with node:crypto, sign one
 * ES256 token. No store, no replay check, no key lookup, no validation beyond the signature.
 */
import { createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import Fastify from 'fastify';

const publicJwk = JSON.parse(process.env.BASELINE_CLIENT_JWK ?? '{}');
const clientKey = createPublicKey({ key: publicJwk, format: 'jwk' });
const signingKey = createPrivateKey(process.env.BASELINE_SIGNING_KEY_PEM ?? '');

const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, new URLSearchParams(body as string)));
app.post('/token', async (request, reply) => {
  const params = request.body as URLSearchParams;
  const assertion = params.get('client_assertion') ?? '';
  const [h, p, s] = assertion.split('.');
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: clientKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s ?? '', 'base64url'));
  if (!ok) return reply.status(401).send({ error: 'invalid_client' });
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'baseline' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ iss: 'baseline', sub: claims.sub, aud: claims.sub, iat: now, exp: now + 300, jti: randomUUID() })).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: signingKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return { access_token: `${header}.${payload}.${signature}`, token_type: 'Bearer', expires_in: 300 };
});
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then(() => {
  const address = app.server.address();
  process.stdout.write(`baseline ready ${typeof address === 'object' && address ? address.port : 0}\n`);
});
