import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { HttpServices } from '../services.js';

/** The health checks take no input; their answers are part of the contract. */
const Status = (status: string) => Type.Object({ status: Type.String({ description: status }) });
const health = { schema: { response: { 200: Status('ok') } } };
const ready = { schema: { response: { 200: Status('ready'), 503: Status('unavailable: the database does not answer') } } };

/** Liveness (`/health`: the process answers) and readiness (`/ready`: the database answers). */
export function registerHealthRoutes(app: FastifyInstance, services: HttpServices): void {
  app.get('/health', health, async () => ({ status: 'ok' }));
  app.get('/ready', ready, async (request, reply) => {
    try {
      await services.store.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'database not reachable');
      return reply.status(503).send({ status: 'unavailable' });
    }
  });
}
