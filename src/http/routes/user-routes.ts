import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { UserInput } from '../../admin/user-service.js';
import { ApiError } from '../../lib/api-error.js';
import { resolveApiTenant } from '../api-auth.js';
import { patched } from '../fusionauth-body.js';
import { IdParams, TenantHeaders } from '../schemas/common.js';
import {
  RegistrationBody,
  RegistrationParams,
  RegistrationUpdateBody,
  SEARCH_LIMITS,
  UserBody,
  UserIdParams,
  UserQuery,
  UserSearchBody,
  UserSearchQueryString,
} from '../schemas/user-schemas.js';
import type { HttpServices } from '../services.js';

/** FusionAuth User and Registration APIs: `/api/user`, `/api/user/registration`. */
export function registerUserRoutes(fastify: FastifyInstance, services: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { users } = services;
  const tenant = (request: Parameters<typeof resolveApiTenant>[0]) => resolveApiTenant(request, services);
  const headers = TenantHeaders;

  app.post('/api/user/registration/:userId', { schema: { params: UserIdParams, headers, body: RegistrationBody } }, async (request) =>
    users.register(await tenant(request), request.body, request.params.userId),
  );
  app.post('/api/user/registration', { schema: { headers, body: RegistrationBody } }, async (request) => users.register(await tenant(request), request.body));
  app.get('/api/user/registration/:userId/:applicationId', { schema: { params: RegistrationParams, headers } }, async (request) => ({
    registration: await users.getRegistration(await tenant(request), request.params.userId, request.params.applicationId),
  }));
  app.put('/api/user/registration/:userId', { schema: { params: UserIdParams, headers, body: RegistrationUpdateBody } }, async (request) => ({
    registration: await users.updateRegistration(await tenant(request), request.params.userId, request.body.registration),
  }));
  app.delete('/api/user/registration/:userId/:applicationId', { schema: { params: RegistrationParams, headers } }, async (request, reply) => {
    await users.deleteRegistration(await tenant(request), request.params.userId, request.params.applicationId);
    return reply.status(200).send();
  });

  // Static paths: matched before `/api/user/:id`.
  app.post('/api/user/search', { schema: { summary: 'Search users', headers, body: UserSearchBody } }, async (request) => users.search(await tenant(request), request.body.search));
  app.get('/api/user/search', { schema: { summary: 'Search users by ids or query string', headers, querystring: UserSearchQueryString } }, async (request) => {
    const { ids, queryString, numberOfResults, startRow } = request.query;
    const number = (value: string | undefined, field: string, maximum: number) => {
      if (value === undefined) return undefined;
      if (Number(value) > maximum) throw ApiError.field(400, field, 'invalid', `At most ${maximum}.`);
      return Number(value);
    };
    return users.search(await tenant(request), {
      ...(ids !== undefined ? { ids: [ids].flat() } : {}),
      ...(queryString !== undefined ? { queryString } : {}),
      numberOfResults: number(numberOfResults, 'numberOfResults', SEARCH_LIMITS.numberOfResults),
      startRow: number(startRow, 'startRow', SEARCH_LIMITS.startRow),
    });
  });

  const withBody = { schema: { params: IdParams, headers, body: UserBody } };
  const byId = { schema: { params: IdParams, headers } };
  app.post('/api/user/:id', withBody, async (request) => ({ user: await users.create(await tenant(request), request.body.user, request.params.id) }));
  app.post('/api/user', { schema: { headers, body: UserBody } }, async (request) => ({ user: await users.create(await tenant(request), request.body.user) }));
  app.get('/api/user', { schema: { headers, querystring: UserQuery } }, async (request) => {
    const { email, username } = request.query;
    if (!email && !username) throw ApiError.general(400, '[MissingQuery]', 'Give ?email= or ?username=, or use /api/user/{id}.');
    return { user: await users.findByLogin(await tenant(request), { email, username }) };
  });
  app.get('/api/user/:id', byId, async (request) => ({ user: await users.get(await tenant(request), request.params.id) }));
  app.put('/api/user/:id', withBody, async (request) => ({ user: await users.update(await tenant(request), request.params.id, request.body.user) }));
  app.patch('/api/user/:id', withBody, async (request) => {
    const tenantId = await tenant(request);
    const { id } = request.params;
    return { user: await users.update(tenantId, id, await patched<UserInput>(users.get(tenantId, id), request.body.user)) };
  });
  app.delete('/api/user/:id', byId, async (request, reply) => {
    await users.delete(await tenant(request), request.params.id);
    return reply.status(200).send();
  });
}
