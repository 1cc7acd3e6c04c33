import { readFileSync } from 'node:fs';
import { envLayer, mergeLayers, yamlLayer } from './layers.ts';
import type { AppRole, Config } from './types.ts';
import { validateConfig } from './validate.ts';
import { vcapLayer } from './vcap.ts';

export type * from './types.ts';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  env: Readonly<Record<string, string | undefined>>;
  /** Reads the PROMREGATOR_CONFIG file; injectable for tests. */
  readFile?: (path: string) => string;
}

/**
 * Builds the one typed, frozen config from (later wins) defaults, the YAML file named by
 * PROMREGATOR_CONFIG, environment variables, VCAP_SERVICES/VCAP_APPLICATION. Throws a ConfigError that
 * lists every problem found, never just the first.
 */
export function buildConfig(role: AppRole, sources: ConfigSources): Readonly<Config> {
  const problems: string[] = [];
  const { env } = sources;
  let fileLayer = {};
  const file = env.PROMREGATOR_CONFIG;
  if (file) {
    let text: string | undefined;
    try {
      text = (sources.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(file);
    } catch (error) {
      problems.push(
        `PROMREGATOR_CONFIG: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (text !== undefined) fileLayer = yamlLayer(text, file, problems);
  }
  const merged = mergeLayers(fileLayer, envLayer(env), vcapLayer(env, problems));
  const config = validateConfig(merged, role, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The one place the process environment is read. */
export function loadConfig(role: AppRole): Readonly<Config> {
  return buildConfig(role, { env: process.env });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
