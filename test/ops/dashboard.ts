import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_FILE = fileURLToPath(new URL('../../ops/grafana/promregator.json', import.meta.url));

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ refId: string; expr: string; datasource?: { type: string; uid: string } }>;
}

export interface TemplateVariable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
  allValue?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: TemplateVariable[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Every query of every panel, named for messages. */
export function panelQueries(d: Dashboard): Array<{ name: string; expr: string }> {
  return d.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ name: `${p.title} [${t.refId}]`, expr: t.expr })),
  );
}

/** The `label_values(selector, label)` queries of the query variables. */
export function variableQueries(d: Dashboard): Array<{ name: string; selector: string; label: string }> {
  return d.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query = typeof v.query === 'string' ? v.query : v.query.query;
      const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query);
      if (!m) throw new Error(`variable ${v.name}: not a label_values(selector, label) query: ${query}`);
      return { name: v.name, selector: m[1] as string, label: m[2] as string };
    });
}

/** Grafana's interpolation of `$name` / `${name}`, as far as these dashboards use it. */
export function interpolate(expr: string, values: Record<string, string>): string {
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string;
      const value = values[name];
      if (value === undefined) throw new Error(`no value for ${whole} in ${expr}`);
      return value;
    },
  );
}
