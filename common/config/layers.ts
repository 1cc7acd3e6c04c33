import { createRequire } from 'node:module';
import { ENV_VARS } from './env-vars.ts';

/** A partial, untyped configuration tree: one layer of defaults < YAML < env < VCAP. */
export type Layer = { [key: string]: unknown };

export function isPlainObject(value: unknown): value is Layer {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function setPath(target: Layer, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Layer;
  }
  node[keys[keys.length - 1]!] = value;
}

/** Later layers win key by key; objects merge, everything else replaces. */
export function mergeLayers(...layers: Layer[]): Layer {
  const result: Layer = {};
  for (const layer of layers) mergeInto(result, layer);
  return result;
}

function mergeInto(target: Layer, source: Layer): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) mergeInto(existing, value);
    else target[key] = isPlainObject(value) ? mergeLayers(value) : value;
  }
}

/**
 * The YAML parser is loaded only when there is a file to read: deployed apps are configured by
 * environment alone (manifest.yml), and the parser's 70 modules cost each process ~4 MB resident.
 */
function loadYaml(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}

/**
 * The YAML file keeps everything under one `promregator:` key so it can share a file with prometheus.yml.
 * Problems are reported, not thrown, so they join the one all-problems message.
 */
export function yamlLayer(text: string, fileName: string, problems: string[]): Layer {
  let doc: unknown;
  try {
    doc = loadYaml().parse(text);
  } catch (error) {
    problems.push(`${fileName}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
    return {};
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc) || !isPlainObject(doc.promregator)) {
    problems.push(`${fileName}: expected every setting under a top-level "promregator:" key`);
    return {};
  }
  return doc.promregator;
}

/** Empty variables count as unset: manifests often carry `FOO: ""` placeholders. */
export function envLayer(env: Readonly<Record<string, string | undefined>>): Layer {
  const layer: Layer = {};
  for (const [name, path] of ENV_VARS) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(layer, path, value);
  }
  return layer;
}
