import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../lib/api-error.js';
import { OAuthError } from '../oauth/errors.js';
import { FormBodyError } from './form-body.js';
import { apiErrorBody } from './api-error-body.js';

/**
 * The one place errors become responses. OAuth endpoints (`/t/...`) answer RFC 6749 §5.2 JSON;
 * `/api` answers FusionAuth's `{fieldErrors, generalErrors}`. Framework errors about the request
 * itself (size, media type, syntax) become precise 4xx; anything else is a 500 without internals
 * and is logged as the bug it is.
 */
interface RequestProblem {
  status: number;
  code: string;
  message: string;
}

/** Fastify's own request errors, mapped to stable Gatehouse codes. */
function requestProblem(error: FastifyError): RequestProblem | undefined {
  if (error instanceof FormBodyError) return { status: 400, code: error.code, message: error.message };
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'GH_BODY_TOO_LARGE', message: 'The request body is too large.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'GH_UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Content-Type.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'GH_INVALID_JSON', message: 'The body is not valid JSON.' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'GH_INVALID_CONTENT_LENGTH', message: 'Content-Length does not match the body.' };
    default:
      break;
  }
  if (error.statusCode === 429) return { status: 429, code: 'GH_RATE_LIMITED', message: 'Too many requests; retry later.' };
  if (error instanceof SyntaxError) return { status: 400, code: 'GH_INVALID_JSON', message: 'The body is not valid JSON.' };
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, code: `GH_${(error.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '')}`, message: error.message };
  }
  return undefined;
}

/** RFC 6750 §3: the Bearer challenge; the description has no quote or backslash (RFC 6750 §3 `error-description` characters). */
const bearerChallenge = (error: OAuthError): string =>
  error.bearerChallenge === 'without-error'
    ? 'Bearer realm="gatehouse"'
    : `Bearer realm="gatehouse", error="${error.error}", error_description="${error.description.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;

export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (error.error === 'invalid_client' && error.basicChallenge) reply.header('www-authenticate', 'Basic realm="gatehouse", charset="UTF-8"');
  if (error.bearerChallenge) reply.header('www-authenticate', bearerChallenge(error));
  return reply.status(error.status).send({ error: error.error, error_description: error.description, ...(error.extra ?? {}) });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const oauthRoute = request.url.startsWith('/t/');
  if (error instanceof OAuthError) {
    request.log.info({ oauthError: error.error, detail: error.detail }, 'oauth request refused');
    return sendOAuthError(reply, error);
  }
  if (error instanceof ApiError) {
    if (error.detail) request.log.info({ detail: error.detail }, 'api request refused');
    const body = apiErrorBody(error);
    return body ? reply.status(error.status).send(body) : reply.status(error.status).send();
  }
  const problem = requestProblem(error);
  if (problem) {
    request.log.info({ code: problem.code }, 'bad request');
    if (oauthRoute) {
      reply.header('cache-control', 'no-store');
      return reply.status(problem.status).send({ error: problem.status === 429 ? 'too_many_requests' : 'invalid_request', error_description: problem.message });
    }
    return reply.status(problem.status).send({ generalErrors: [{ code: `[${problem.code}]`, message: problem.message }] });
  }
  request.log.error({ err: error }, 'unexpected error');
  if (oauthRoute) return reply.status(500).send({ error: 'server_error', error_description: 'An unexpected error occurred.' });
  return reply.status(500).send({ generalErrors: [{ code: '[Exception]', message: 'An unexpected error occurred.' }] });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (request.url.startsWith('/t/')) return reply.status(404).send({ error: 'not_found', error_description: 'No such endpoint.' });
  return reply.status(404).send();
}
