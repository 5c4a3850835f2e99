import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

/** A compiled validator or serializer as Fastify calls it; a validator's errors are on `.errors`. */
type Compiled = ((data: unknown) => unknown) & { errors?: unknown };
/** What Fastify hands a compiler: the route's `{ schema, method, url, httpPart | httpStatus }`. */
type Compile = (route: Record<string, unknown>) => Compiled;
/** A compiler factory (`@fastify/ajv-compiler`, `@fastify/fast-json-stringify-compiler`): shared schemas and options in, a compiler out. */
type BuildCompiler = (externalSchemas: unknown, options: unknown) => Compile;

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/** Loads one of Fastify's own compiler factories (Fastify's dependencies), from Fastify's install. */
function fastifyDependency<T>(name: string): T {
  return createRequire(createRequire(import.meta.url).resolve('fastify'))(name) as T;
}

/** What `createLazyCompilers` gives a server: its Fastify option and a way to compile everything now. */
export interface LazyCompilers {
  /**
   * For the `schemaController.compilersFactory` option. Its declared types have a compiler take
   * a bare schema; at run time Fastify hands it the route's schema object, as `Compile` says.
   */
  compilersFactory: CompilersFactory;
  /** Compiles every validator and serializer not compiled yet; returns how many. */
  compileAll(): number;
}

/**
 * Route schemas compiled by exactly the compilers Fastify uses by default (ajv for validation,
 * fast-json-stringify for responses; same shared schemas, same options), but each on its route's
 * first use instead of when the server becomes ready, and the compiler modules loaded only then:
 * compiling the /api validators was 14 % of the time to ready, and most routes of a node are
 * never called. The ajv options (`api-validation.ts`) never change the data (no coercion,
 * defaults or removal), so a validator needs no parent object to write into. Header schemas
 * reach ajv as written, as with any custom compiler; Gatehouse's are in lower case.
 */
export function createLazyCompilers(): LazyCompilers {
  const pending = new Set<() => Compiled>();
  const lazyFactory =
    (loadFactory: () => BuildCompiler): BuildCompiler =>
    (externalSchemas, options) => {
      let compiler: Compile | undefined;
      return (route) => {
        let compiled: Compiled | undefined;
        const ensure = (): Compiled => {
          if (!compiled) {
            compiler ??= loadFactory()(externalSchemas, options);
            compiled = compiler(route);
            pending.delete(ensure);
          }
          return compiled;
        };
        pending.add(ensure);
        const lazy: Compiled = (data) => {
          const fn = ensure();
          const result = fn(data);
          lazy.errors = fn.errors;
          return result;
        };
        return lazy;
      };
    };
  let validators: BuildCompiler | undefined;
  let serializers: BuildCompiler | undefined;
  const compilersFactory = {
    buildValidator: lazyFactory(() => (validators ??= fastifyDependency<{ AjvCompiler: () => BuildCompiler }>('@fastify/ajv-compiler').AjvCompiler())),
    buildSerializer: lazyFactory(() => (serializers ??= fastifyDependency<{ SerializerSelector: () => BuildCompiler }>('@fastify/fast-json-stringify-compiler').SerializerSelector())),
  };
  return {
    compilersFactory: compilersFactory as unknown as CompilersFactory,
    compileAll() {
      const count = pending.size;
      for (const ensure of [...pending]) ensure();
      return count;
    },
  };
}

const registry = new WeakMap<FastifyInstance, LazyCompilers>();

/** Remembers the server's lazy compilers, for `compileRouteSchemas`. */
export function trackLazyCompilers(app: FastifyInstance, compilers: LazyCompilers): void {
  registry.set(app, compilers);
}

/** Compiles every validator and serializer of a ready server that no request has needed yet; returns how many. */
export function compileRouteSchemas(app: FastifyInstance): number {
  return registry.get(app)?.compileAll() ?? 0;
}
