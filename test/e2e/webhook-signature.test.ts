import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import type { CryptoKey } from 'jose';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { FAST_WEBHOOKS, startWebhookReceiver } from '../helpers/webhook-receiver.js';
import type { Arrival, WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * The receiver's check, as FusionAuth documents it: verify the `X-FusionAuth-Signature-JWT` with
 * the key, then compare its `request_body_sha256` claim to the base64 SHA-256 of the raw body.
 */
async function verifiedBody(arrival: Arrival, key: Uint8Array | CryptoKey, algorithms: string[]): Promise<boolean> {
  const jwt = arrival.headers['x-fusionauth-signature-jwt'];
  if (typeof jwt !== 'string') return false;
  const { payload } = await jwtVerify(jwt, key, { algorithms });
  return payload.request_body_sha256 === createHash('sha256').update(arrival.rawBody).digest('base64');
}

for (const kind of selectedKinds()) {
  describe(`webhook signatures as FusionAuth signs them (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let receiver: WebhookReceiver;

    before(async () => {
      db = await createTestDatabase(kind);
      receiver = await startWebhookReceiver();
      server = await startTestServer(db, { config: FAST_WEBHOOKS });
    });
    after(async () => {
      await server?.close();
      await receiver?.close();
      await db?.drop();
    });

    const signedDelivery = async (signingKeyId: string): Promise<Arrival> => {
      const hook = await server.api('POST', '/api/webhook', {
        webhook: { url: receiver.url, global: true, eventsEnabled: { 'user.create': true }, signatureConfiguration: { enabled: true, signingKeyId } },
      });
      assert.equal(hook.status, 200, JSON.stringify(hook.body));
      const user = await server.api('POST', '/api/user', { user: { email: `signed-${randomUUID()}@example.com`, firstName: 'Zoë «ünïcode»' } });
      assert.equal(user.status, 200);
      const mine = (a: Arrival[]) => a.find((x) => (x.event.user as { id: string }).id === user.body.user.id);
      await receiver.waitFor((a) => mine(a) !== undefined, 'the signed user.create');
      await server.api('DELETE', `/api/webhook/${hook.body.webhook.id}`);
      return mine(receiver.arrivals)!;
    };

    it('HMAC (HS256): the JWT verifies with the shared secret and binds the exact body', async () => {
      const secret = randomBytes(32).toString('base64');
      const key = await server.api('POST', '/api/key/import', { key: { name: `hmac-${randomUUID()}`, algorithm: 'HS256', secret } });
      assert.equal(key.status, 200, JSON.stringify(key.body));
      assert.equal(key.body.key.type, 'HMAC');
      assert.equal(key.body.key.secret, undefined, 'the secret is not echoed');
      const arrival = await signedDelivery(key.body.key.id);
      const shared = new TextEncoder().encode(secret);
      assert.equal(await verifiedBody(arrival, shared, ['HS256']), true);
      assert.equal(decodeProtectedHeader(arrival.headers['x-fusionauth-signature-jwt'] as string).kid, key.body.key.kid);
      const tampered = { ...arrival, rawBody: Buffer.concat([arrival.rawBody, Buffer.from(' ')]) };
      assert.equal(await verifiedBody(tampered, shared, ['HS256']), false, 'another body does not match the claim');
      await assert.rejects(verifiedBody(arrival, new TextEncoder().encode(randomBytes(32).toString('base64')), ['HS256']));
    });

    for (const algorithm of ['ES256', 'RS256'] as const) {
      it(`asymmetric (${algorithm}): the JWT verifies with the key's public half`, async () => {
        const key = await server.api('POST', '/api/key/generate', { key: { name: `hook-${algorithm}-${randomUUID()}`, algorithm } });
        assert.equal(key.status, 200, JSON.stringify(key.body));
        const arrival = await signedDelivery(key.body.key.id);
        const publicKey = await importSPKI(key.body.key.publicKey as string, algorithm);
        assert.equal(await verifiedBody(arrival, publicKey, [algorithm]), true);
        const header = decodeProtectedHeader(arrival.headers['x-fusionauth-signature-jwt'] as string);
        assert.deepEqual([header.alg, header.kid], [algorithm, key.body.key.kid]);
      });
    }

    it('an unsigned webhook sends no signature header; a signed one needs a key that can sign', async () => {
      const publicOnly = await server.api('POST', '/api/key/generate', { key: { name: `gen-${randomUUID()}`, algorithm: 'ES256' } });
      const pem = publicOnly.body.key.publicKey as string;
      const imported = await server.api('POST', '/api/key/import', { key: { name: `pub-${randomUUID()}`, publicKey: pem, kid: `pub-${randomUUID()}` } });
      assert.equal(imported.status, 200, JSON.stringify(imported.body));
      const refused = await server.api('POST', '/api/webhook', {
        webhook: { url: receiver.url, eventsEnabled: { 'user.create': true }, signatureConfiguration: { enabled: true, signingKeyId: imported.body.key.id } },
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.fieldErrors['webhook.signatureConfiguration.signingKeyId'][0].code, '[invalid]webhook.signatureConfiguration.signingKeyId');
      const short = await server.api('POST', '/api/key/import', { key: { name: `short-${randomUUID()}`, algorithm: 'HS256', secret: 'too-short' } });
      assert.equal(short.status, 400);
      assert.equal(short.body.fieldErrors['key.secret'][0].code, '[invalid]key.secret');
    });
  });
}
