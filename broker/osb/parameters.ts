import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { routePatternProblem } from '../../common/route-pattern.ts';
import { OSB_ERRORS, OsbError } from './errors.ts';
import {
  AUTH_BRANCHES,
  AUTH_TYPES,
  BINDING_PARAMETERS_SCHEMA,
  INSTANCE_PARAMETERS_SCHEMA,
} from './schemas.ts';
import type { JsonObject } from './types.ts';

type Schema = Record<string, unknown>;

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv, formats: string[]) => Ajv;

/** Validates plan parameters with the very schemas the catalog publishes. Throws a 400 naming each field and rule. */
export interface ParameterValidators {
  instance(parameters: JsonObject): void;
  binding(parameters: JsonObject): void;
}

/**
 * Formats checked by this project's own code, each returning the problem to report. `regex` is only used
 * by `route`, whose patterns run on RE2: a pattern it cannot honour must be refused here, by name.
 */
const OWN_FORMATS: Readonly<Record<string, (value: string) => string | undefined>> = {
  regex: routePatternProblem,
};

export function createParameterValidators(): ParameterValidators {
  // strictTypes off: a rule element in `allOf` (e.g. `{pattern}`) relies on its parent's `type`.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, logger: false });
  addFormats(ajv, ['uri']);
  for (const [name, problem] of Object.entries(OWN_FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate: (value: string) => problem(value) === undefined });
  }
  const compile = (schema: Schema): ValidateFunction => {
    // ajv 8 has no draft-04 metaschema; the keywords used mean the same in its default draft.
    const { $schema: _draft, ...body } = schema;
    return ajv.compile(body);
  };
  const instance = compile(INSTANCE_PARAMETERS_SCHEMA);
  const binding = compile(BINDING_PARAMETERS_SCHEMA);
  const branches = new Map(AUTH_TYPES.map((type) => [type as string, compile(AUTH_BRANCHES[type])]));

  const check = (validate: ValidateFunction, parameters: JsonObject): void => {
    // Called as a plain predicate: the type guard would narrow `parameters` to never below.
    if ((validate as (data: unknown) => boolean)(parameters)) return;
    const errors = validate.errors ?? [];
    const isAuth = (e: ErrorObject) => e.instancePath === '/auth' || e.instancePath.startsWith('/auth/');
    const problems = errors.filter((e) => !isAuth(e)).map((e) => describe(e, 'parameters'));
    if (errors.some(isAuth)) problems.push(...authProblems(parameters.auth, branches));
    throw new OsbError(OSB_ERRORS.invalidParameters, [...new Set(problems)].join('; '));
  };
  return {
    instance: (parameters) => check(instance, parameters),
    binding: (parameters) => check(binding, parameters),
  };
}

/**
 * `oneOf` errors list every branch's complaints; the user meant the branch named by `type`, so only that
 * branch's errors are reported.
 */
function authProblems(auth: unknown, branches: Map<string, ValidateFunction>): string[] {
  if (!auth || typeof auth !== 'object' || Array.isArray(auth)) return ['parameters.auth: must be an object'];
  const type = (auth as JsonObject).type;
  const branch = typeof type === 'string' ? branches.get(type) : undefined;
  if (!branch) return [`parameters.auth.type: must be one of ${AUTH_TYPES.join(', ')}`];
  if (branch(auth)) return [];
  return (branch.errors ?? []).map((e) => describe(e, 'parameters.auth'));
}

function describe(error: ErrorObject, base: string): string {
  const field =
    base +
    error.instancePath
      .split('/')
      .slice(1)
      .map(decodePointer)
      .map((s) => `.${s}`)
      .join('');
  const parent = (error.parentSchema ?? {}) as Schema;
  const ruleMessage =
    error.schemaPath.includes('/allOf/') && typeof parent.description === 'string'
      ? parent.description
      : undefined;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = `${field}.${String(params.additionalProperty)}`;
      if (ruleMessage) return `${name}: ${ruleMessage}`;
      const allowed = Object.keys((parent.properties as Schema | undefined) ?? {});
      return `${name}: unknown field (allowed: ${allowed.join(', ')})`;
    }
    case 'required':
      return `${field}.${String(params.missingProperty)}: is required`;
    case 'enum':
      return `${field}: must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'format': {
      const own = OWN_FORMATS[String(params.format)];
      const problem = own && typeof error.data === 'string' ? own(error.data) : undefined;
      return `${field}: ${problem ?? ruleMessage ?? error.message ?? 'is invalid'}`;
    }
    default:
      return `${field}: ${ruleMessage ?? error.message ?? 'is invalid'}`;
  }
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
