// Fastify compiles every route's JSON Schema with Ajv when the app is built: for Grant Lab's
// routes, a tenth of a cold start (bench/), spent on routes most runs never call. This is
// Fastify's own compiler (@fastify/ajv-compiler, with the app's Ajv options), each route's
// validator compiled on its first request instead, and Ajv itself (some 90 modules) loaded only
// then. A schema that does not compile fails that first request rather than the start, so
// test/e2e/route-schemas.test.ts compiles them all.
import { createRequire } from 'node:module';
import type { ValidatorFactory } from '@fastify/ajv-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';

// require(), not import: a validator is called synchronously, and nothing is loaded until one is.
const require = createRequire(import.meta.url);

type Validate = ((data: unknown, context?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type RouteSchema = { schema: unknown; method: string; url: string; httpPart: string };
type BuildValidator = (externalSchemas: unknown, options: unknown) => (route: RouteSchema) => Validate;

/**
 * Fastify's serializer compiler for response schemas, which Grant Lab's routes do not have:
 * loaded (with fast-json-stringify, and Ajv again) only if one ever does.
 */
export const lazySerializers: SerializerFactory = (externalSchemas, options) => {
  let compileRoute: ReturnType<SerializerFactory> | undefined;
  return (route) => {
    compileRoute ??= (require('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)()(externalSchemas, options);
    return compileRoute(route);
  };
};

export interface LazyValidators {
  /**
   * Fastify's schemaController.compilersFactory.buildValidator. (Its declared type has each
   * compile take a bare schema; Fastify passes { schema, method, url, httpPart }, as typed here.)
   */
  buildValidator: ValidatorFactory;
  /** Compiles every validator still waiting for its first request; throws what Ajv refuses. */
  compilePending(): number;
}

/** One app's validators: those not compiled yet are kept until they are. */
export function lazyValidators(): LazyValidators {
  const pending = new Set<() => Validate>();
  let build: BuildValidator | undefined;
  const buildValidator: BuildValidator = (externalSchemas, options) => {
    let compileRoute: ReturnType<BuildValidator> | undefined;
    const compile = (route: RouteSchema) => {
      build ??= (require('@fastify/ajv-compiler') as () => BuildValidator)();
      compileRoute ??= build(externalSchemas, options);
      return compileRoute(route);
    };
    return (route) => {
      let validate: Validate | undefined;
      const compiled = () => {
        validate ??= compile(route);
        pending.delete(compiled);
        return validate;
      };
      pending.add(compiled);
      const lazy = ((data: unknown, context?: unknown) => compiled()(data, context)) as Validate;
      // Fastify reads both from the function it was given: Ajv's errors after a call, and its
      // schemaEnv to hand the validator the request as the data's parent (so defaults apply).
      Object.defineProperties(lazy, {
        errors: { get: () => validate?.errors },
        schemaEnv: { get: () => compiled().schemaEnv },
      });
      return lazy;
    };
  };
  return {
    buildValidator: buildValidator as unknown as ValidatorFactory,
    compilePending() {
      const waiting = [...pending];
      for (const compile of waiting) compile();
      return waiting.length;
    },
  };
}
