import { createRequire } from 'node:module';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler, FastifyServerOptions } from 'fastify';

/** A compiled ajv validator as Fastify calls it: `false` on failure, the errors on `.errors`. */
type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type RouteSchema = Parameters<FastifySchemaCompiler<FastifySchema>>[0];
type Compile = (route: RouteSchema) => Validate;
/** `@fastify/ajv-compiler`'s factory: one compiler per set of shared schemas and ajv options. */
type BuildValidator = (externalSchemas: unknown, ajvOptions: unknown) => Compile;

/**
 * Fastify's own validator factory, the one it uses when none is given: resolved from Fastify's
 * install (it is Fastify's dependency), and only when the first request is validated.
 */
function fastifyAjvCompiler(): BuildValidator {
  const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const { AjvCompiler } = fastifyRequire('@fastify/ajv-compiler') as { AjvCompiler: () => BuildValidator };
  return AjvCompiler();
}

/**
 * The option's declared type. It has the compiler take a bare schema; at run time Fastify hands
 * it the route's `{ schema, method, url, httpPart }`, as `Compile` says.
 */
type DeclaredBuildValidator = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;

/** What `createLazyValidation` gives a server: its Fastify option and a way to compile everything now. */
export interface LazyValidation {
  /** For `schemaController.compilersFactory.buildValidator`. */
  buildValidator: DeclaredBuildValidator;
  /** Compiles every route's validators not compiled yet (the tests check every schema compiles). */
  compileAll(): number;
}

/**
 * The `/api` route schemas validated with Fastify's ajv exactly as by default (same compiler,
 * same shared schemas, same options), but each route's validator compiled on its first request
 * instead of at start-up: compiling some hundred schemas was a quarter of the time to ready, and
 * most routes of a node are never called. The ajv options (`api-validation.ts`) never change the
 * data (no coercion, defaults or removal), so the validator needs no parent object to write to.
 * Header schemas are passed on as written, as for any custom compiler; theirs are lower case.
 */
export function createLazyValidation(): LazyValidation {
  const pending = new Set<() => void>();
  const buildValidator: BuildValidator = (externalSchemas, ajvOptions) => {
    let compiler: Compile | undefined;
    const compile = (route: RouteSchema): Validate => {
      compiler ??= fastifyAjvCompiler()(externalSchemas, ajvOptions);
      return compiler(route);
    };
    return (route) => {
      let validate: Validate | undefined;
      const ensure = (): Validate => {
        if (!validate) {
          validate = compile(route);
          pending.delete(ensure);
        }
        return validate;
      };
      pending.add(ensure);
      const lazy: Validate = (data) => {
        const compiled = ensure();
        const result = compiled(data);
        lazy.errors = compiled.errors;
        return result;
      };
      return lazy;
    };
  };
  return {
    buildValidator: buildValidator as unknown as DeclaredBuildValidator,
    compileAll() {
      const count = pending.size;
      for (const ensure of [...pending]) ensure();
      return count;
    },
  };
}

const registry = new WeakMap<FastifyInstance, LazyValidation>();

/** Remembers the server's lazy validation, for `compileRouteValidators`. */
export function trackLazyValidation(app: FastifyInstance, validation: LazyValidation): void {
  registry.set(app, validation);
}

/** Compiles every validator of a ready server that no request has compiled yet; returns how many. */
export function compileRouteValidators(app: FastifyInstance): number {
  return registry.get(app)?.compileAll() ?? 0;
}
