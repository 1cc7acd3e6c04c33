import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARS } from '../common/config/env-vars.ts';

interface ManifestApp {
  name: string;
  command: string;
  instances: unknown;
  services: string[];
  env: Record<string, string>;
  'health-check-type': string;
  'health-check-http-endpoint': string;
}

const manifestText = readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8');
const manifest = parse(manifestText) as { applications: ManifestApp[] };
const scripts = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
const vars = parse(readFileSync(new URL('../vars.example.yml', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

describe('manifest.yml', () => {
  it('starts each app with plain node on the compiled entry point that the build step produces', () => {
    expect(manifest.applications.map((app) => app.name)).toEqual([
      'promregator-broker',
      'promregator-scraper',
    ]);
    // The build the buildpack runs on staging, and what it compiles: each app's main.ts.
    expect(scripts['heroku-postbuild']).toBe('npm run build');
    expect(scripts.build).toBe('tsc -p tsconfig.build.json');
    const build = ts.readConfigFile(
      fileURLToPath(new URL('../tsconfig.build.json', import.meta.url)),
      ts.sys.readFile,
    ).config as {
      compilerOptions: { outDir: string };
      files: string[];
    };
    expect(build.compilerOptions.outDir).toBe('dist');
    for (const app of manifest.applications) {
      const role = app.name.replace('promregator-', '');
      // Plain words only (no npm, no loader, no shell syntax): the container runs exactly this process.
      expect(app.command).toMatch(new RegExp(`^node( --[a-z-]+(=\\d+)?)* dist/${role}/main\\.js$`));
      expect(build.files).toContain(`${role}/main.ts`);
    }
  });

  it('binds both apps to the same database service and checks their health over HTTP', () => {
    const [broker, scraper] = manifest.applications;
    expect(broker!.services).toEqual(scraper!.services);
    for (const app of manifest.applications) {
      expect(app['health-check-type']).toBe('http');
      expect(app['health-check-http-endpoint']).toBe('/healthz');
    }
  });

  it('names only variables of the configuration contract, and every ((variable)) is in vars.example.yml', () => {
    const known = new Set(ENV_VARS.map(([name]) => name));
    for (const app of manifest.applications) {
      for (const name of Object.keys(app.env)) {
        // Besides the contract: NODE_ENV, and glibc's malloc tuning (manifest.yml says why).
        if (name !== 'NODE_ENV' && name !== 'MALLOC_MMAP_THRESHOLD_')
          expect(known.has(name), name).toBe(true);
      }
    }
    const used = [...manifestText.matchAll(/\(\(([a-z0-9_]+)\)\)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(vars, name).toHaveProperty(name);
  });

  it('runs the scraper at two instances', () => {
    expect(vars.scraper_instances).toBe(2);
  });
});
