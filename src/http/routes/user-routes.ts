import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../lib/api-error.js';
import { resolveApiTenant } from '../api-auth.js';
import type { HttpServices } from '../services.js';

type IdParams = { Params: { id: string } };
type RegistrationParams = { Params: { userId: string; applicationId: string } };

/** FusionAuth User and Registration APIs: `/api/user`, `/api/user/registration`. */
export function registerUserRoutes(app: FastifyInstance, services: HttpServices): void {
  const { users } = services;
  const tenant = (request: Parameters<typeof resolveApiTenant>[0]) => resolveApiTenant(request, services);

  app.post<{ Params: { userId: string } }>('/api/user/registration/:userId', async (request) => users.register(await tenant(request), request.body, request.params.userId));
  app.post('/api/user/registration', async (request) => users.register(await tenant(request), request.body));
  app.get<RegistrationParams>('/api/user/registration/:userId/:applicationId', async (request) => ({
    registration: await users.getRegistration(await tenant(request), request.params.userId, request.params.applicationId),
  }));
  app.put<{ Params: { userId: string } }>('/api/user/registration/:userId', async (request) => ({
    registration: await users.updateRegistration(await tenant(request), request.params.userId, request.body),
  }));
  app.delete<RegistrationParams>('/api/user/registration/:userId/:applicationId', async (request, reply) => {
    await users.deleteRegistration(await tenant(request), request.params.userId, request.params.applicationId);
    return reply.status(200).send();
  });

  app.post<IdParams>('/api/user/:id', async (request) => ({ user: await users.create(await tenant(request), request.body, request.params.id) }));
  app.post('/api/user', async (request) => ({ user: await users.create(await tenant(request), request.body) }));
  app.get<{ Querystring: { email?: string; username?: string } }>('/api/user', async (request) => {
    const { email, username } = request.query;
    if (!email && !username) throw ApiError.general(400, '[MissingQuery]', 'Give ?email= or ?username=, or use /api/user/{id}.');
    return { user: await users.findByLogin(await tenant(request), { email, username }) };
  });
  app.get<IdParams>('/api/user/:id', async (request) => ({ user: await users.get(await tenant(request), request.params.id) }));
  app.put<IdParams>('/api/user/:id', async (request) => ({ user: await users.update(await tenant(request), request.params.id, request.body) }));
  app.patch<IdParams>('/api/user/:id', async (request) => ({ user: await users.update(await tenant(request), request.params.id, request.body, true) }));
  app.delete<IdParams>('/api/user/:id', async (request, reply) => {
    await users.delete(await tenant(request), request.params.id);
    return reply.status(200).send();
  });
}
