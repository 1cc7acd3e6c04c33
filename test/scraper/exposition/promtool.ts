// Test helper: `promtool check metrics` (expfmt, the text format's reference parser) over many text
// bodies in few invocations. Each body's names get a prefix of their own, so bodies cannot clash,
// while suffixes, which decide expfmt's family grouping, stay as they are.
import { spawnSync } from 'node:child_process';

export const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

const BATCH = 100;

function parseError(body: string): string | undefined {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: Buffer.from(body, 'latin1') });
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.includes('error while linting'));
}

function prefixNames(body: string, prefix: string): string {
  return body
    .split('\n')
    .map((l) => {
      if (l.startsWith('# HELP ') || l.startsWith('# TYPE ')) return `${l.slice(0, 7)}${prefix}${l.slice(7)}`;
      return l === '' ? l : `${prefix}${l}`;
    })
    .join('\n');
}

/** promtool's parse error and the body, for every body it refuses (lint findings do not count). */
export function promtoolRefusals(bodies: readonly string[]): string[] {
  const refused: string[] = [];
  for (let from = 0; from < bodies.length; from += BATCH) {
    const batch = bodies.slice(from, from + BATCH);
    const joined = batch.map((b, i) => prefixNames(b, `b${from + i}x`)).join('');
    if (parseError(joined) === undefined) continue;
    for (const body of batch) {
      const err = parseError(body);
      if (err !== undefined) refused.push(`${err}\n${body}`);
    }
  }
  return refused;
}
