/**
 * The JSON Schemas of the plan's parameters, published in the catalog and used to validate requests (one
 * source of truth). Draft-04 keywords only, because the Cloud Controller checks catalog schemas against
 * the draft-04 metaschema; every keyword used here means the same in later drafts, which ajv applies.
 *
 * Convention: a rule that deserves its own error message sits alone in an `allOf` element whose
 * `description` is that message (parameters.ts reads it), so messages live next to their rules.
 */

import { ROUTE_PATTERN_MAX_LENGTH } from '../../common/route-pattern.ts';

export const SCHEMA_DRAFT = 'http://json-schema.org/draft-04/schema#';

export const RESERVED_LABELS = [
  'org_name',
  'space_name',
  'app_name',
  'cf_instance_id',
  'cf_instance_number',
  'instance',
  'job',
] as const;

export const AUTH_TYPES = ['binding', 'none', 'basic', 'oauth2'] as const;

type Schema = Record<string, unknown>;

function rule(description: string, schema: Schema): Schema {
  return { description, ...schema };
}

const path: Schema = {
  type: 'string',
  description: 'Path of the metrics endpoint on the app (default /metrics)',
  maxLength: 2048,
  allOf: [
    rule('must start with "/"', { pattern: '^/' }),
    // "//host" and "/\\host" are read as a host by URL parsers: a path must never change the target host.
    rule('must be a path, not a URL: no scheme or host', {
      not: { pattern: '^/[/\\\\]|^[a-zA-Z][a-zA-Z0-9+.-]*:' },
    }),
    rule('must not contain ".."', { not: { pattern: '\\.\\.' } }),
    rule('must not contain control characters, spaces, "\\" or "#"', {
      pattern: '^[^\\u0000-\\u0020\\u007f\\\\#]*$',
    }),
  ],
};

const scheme: Schema = {
  type: 'string',
  description: 'Scheme the scraper uses to reach the app (default https)',
  enum: ['https', 'http'],
};

// Published as an ECMA-262 `regex`; the broker's check of that format is common/route-pattern.ts, which
// also refuses what the linear-time engine cannot run (backreferences, lookaround), naming the construct.
const route: Schema = {
  type: 'string',
  description:
    "Which of the app's routes to scrape: an exact host, or a regular expression (default: the first HTTP route)",
  minLength: 1,
  maxLength: ROUTE_PATTERN_MAX_LENGTH,
  allOf: [rule('must be an exact host or a valid regular expression', { format: 'regex' })],
};

const labels: Schema = {
  type: 'object',
  description: 'Static labels added to every sample of the target',
  maxProperties: 64,
  allOf: [
    rule(
      `label names must match [a-zA-Z_][a-zA-Z0-9_]*, must not start with "__" and must not be one of ${RESERVED_LABELS.join(', ')}`,
      {
        patternProperties: {
          [`^(?!__)(?!(${RESERVED_LABELS.join('|')})$)[a-zA-Z_][a-zA-Z0-9_]*$`]: {
            type: 'string',
            maxLength: 1024,
          },
        },
        additionalProperties: false,
      },
    ),
  ],
};

const honorLabels: Schema = {
  type: 'boolean',
  description:
    "Keep the target's labels on collision instead of renaming them to exported_<name> (default false)",
};

const scrapeTimeout: Schema = {
  type: 'integer',
  description: 'Timeout of one scrape of one app instance, in milliseconds',
  minimum: 100,
  maximum: 600000,
};

const nonEmpty = (description: string): Schema => ({
  type: 'string',
  description,
  minLength: 1,
  maxLength: 4096,
});

/** One schema per auth type; `oneOf` of them in the published schema, picked by `type` when reporting errors. */
export const AUTH_BRANCHES: Readonly<Record<(typeof AUTH_TYPES)[number], Schema>> = {
  binding: {
    type: 'object',
    description:
      'The broker issues per-binding credentials (in the binding credentials); the scraper sends them as basic auth',
    properties: { type: { enum: ['binding'] } },
    required: ['type'],
    additionalProperties: false,
  },
  none: {
    type: 'object',
    description: 'No authentication',
    properties: { type: { enum: ['none'] } },
    required: ['type'],
    additionalProperties: false,
  },
  basic: {
    type: 'object',
    description: 'Basic authentication with the given credentials',
    properties: {
      type: { enum: ['basic'] },
      username: nonEmpty('User name'),
      password: nonEmpty('Password (stored encrypted, never returned)'),
    },
    required: ['type', 'username', 'password'],
    additionalProperties: false,
  },
  oauth2: {
    type: 'object',
    description: 'OAuth2 client-credentials grant (e.g. XSUAA); the token is sent as bearer token',
    properties: {
      type: { enum: ['oauth2'] },
      token_url: {
        type: 'string',
        description:
          'Token endpoint: https, on a public host (checked at bind and again when the scraper connects)',
        maxLength: 2048,
        allOf: [rule('must be an http or https URL', { pattern: '^https?://[^/?#\\s]+', format: 'uri' })],
      },
      client_id: nonEmpty('Client id'),
      client_secret: nonEmpty('Client secret (stored encrypted, never returned)'),
      scopes: {
        type: 'array',
        description: 'Scopes to request',
        maxItems: 64,
        items: { type: 'string', minLength: 1, maxLength: 512 },
      },
    },
    required: ['type', 'token_url', 'client_id', 'client_secret'],
    additionalProperties: false,
  },
};

const auth: Schema = {
  description: 'How the scraper authenticates to the app (default {"type":"binding"})',
  oneOf: AUTH_TYPES.map((type) => AUTH_BRANCHES[type]),
};

const targetDefaults = {
  path,
  scheme,
  route,
  labels,
  honor_labels: honorLabels,
  scrape_timeout_ms: scrapeTimeout,
};

/** Instance parameters are defaults for the instance's app bindings; auth is per binding only. */
export const INSTANCE_PARAMETERS_SCHEMA: Schema = {
  $schema: SCHEMA_DRAFT,
  type: 'object',
  description: 'Defaults for the app bindings of this service instance',
  properties: targetDefaults,
  additionalProperties: false,
};

export const BINDING_PARAMETERS_SCHEMA: Schema = {
  $schema: SCHEMA_DRAFT,
  type: 'object',
  description: 'How to scrape the bound app; unset fields fall back to the service instance parameters',
  properties: { ...targetDefaults, auth },
  additionalProperties: false,
};
