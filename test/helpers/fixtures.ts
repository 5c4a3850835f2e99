import assert from 'node:assert/strict';
import type { TestServer } from './test-server.js';

export const DEFAULT_TENANT = 'default';
export const DEFAULT_TENANT_ID = '00000000-0000-4000-8000-000000000001';

/** Creates an application through the admin API and returns it (with its secret, if any). */
export async function createApplication(server: TestServer, application: Record<string, unknown>, headers: Record<string, string> = {}) {
  const reply = await server.api('POST', '/api/application', { application }, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID, ...headers });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.application as { id: string; oauthConfiguration: { clientId: string; clientSecret?: string } };
}

export const tokenPath = (tenant = DEFAULT_TENANT) => `/t/${tenant}/oauth2/token`;
export const tokenUrl = (server: TestServer, tenant = DEFAULT_TENANT) => `${server.publicUrl}${tokenPath(tenant)}`;

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()) };
}
