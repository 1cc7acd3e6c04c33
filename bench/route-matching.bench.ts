// Route matching cost (BENCHMARKS.md "Security costs"): each pathological `route` pattern against
// near-miss hosts, through common/route-pattern.ts (RE2) and, as the baseline in the same run, the
// previous implementation (V8's backtracking `new RegExp`, anchored and case-insensitive as it was).
// The previous one is measured at host lengths where it still finishes: it stops growing a pattern's
// hosts after the first length over OLD_BUDGET_MS; the new one runs at those lengths and at 63, the
// longest DNS label. Goal: every new cell well under 1 ms. Medians of ROUNDS alternating rounds (old,
// new, old, new …); a baseline cell over the budget is measured in the first round only.
// Run: npx tsx bench/route-matching.bench.ts   (or npm run bench:routes)
import { compileRoutePattern, type RouteMatch } from '../common/route-pattern.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const OLD_LENGTHS = [8, 12, 16, 20, 24];
const NEW_LENGTHS = [...OLD_LENGTHS, 63];
const OLD_BUDGET_MS = 100;
/** Repeat fast calls until this much time has passed, so a cell's per-call time is not timer noise. */
const MIN_SAMPLE_MS = 20;

/** Each pattern with the host of a given length that makes a backtracking engine try every split. */
const CASES: ReadonlyArray<readonly [pattern: string, host: (length: number) => string]> = [
  ['(a|a)*', (n) => `${'a'.repeat(n - 1)}-`],
  ['(a+)+$', (n) => `${'a'.repeat(n - 1)}-`],
  ['(.*a){20}', (n) => `${'a'.repeat(n - 1)}-`],
  ['((a*)*)*b', (n) => 'a'.repeat(n)],
  ['([a-z]+)*\\.apps', (n) => 'a'.repeat(n)],
];
/** An ordinary pattern against a matching host, to show what the engine costs when nothing is wrong. */
const ORDINARY = ['[a-z0-9-]+\\.apps\\.example\\.com', 'my-app-blue.apps.example.com'] as const;

/** The previous implementation, as it compiled an anchored pattern. */
function previous(pattern: string): RouteMatch {
  const regex = new RegExp(`^(?:${pattern})$`, 'i');
  return (candidate) => regex.test(candidate);
}

function current(pattern: string): RouteMatch {
  const compiled = compileRoutePattern(pattern);
  if (!('matches' in compiled)) throw new Error(`${pattern}: ${compiled.problem}`);
  return compiled.matches;
}

/** Microseconds per call, and the verdict. */
function time(match: RouteMatch, host: string): { us: number; verdict: boolean } {
  let calls = 0;
  let verdict = false;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    verdict = match(host);
    calls++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < MIN_SAMPLE_MS);
  return { us: (elapsed * 1000) / calls, verdict };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Cell {
  old: number[];
  new: number[];
  verdicts: Set<string>;
}

function main(): void {
  const cells = new Map<string, Cell>();
  const cell = (pattern: string, length: number): Cell => {
    const key = `${pattern}\u0000${length}`;
    let c = cells.get(key);
    if (!c) {
      c = { old: [], new: [], verdicts: new Set() };
      cells.set(key, c);
    }
    return c;
  };
  const overBudget = new Set<string>();
  const oldLengths = new Map<string, number[]>();
  const matchers = CASES.map(([pattern]) => ({ pattern, old: previous(pattern), new: current(pattern) }));
  const ordinary = {
    old: previous(ORDINARY[0]),
    new: current(ORDINARY[0]),
    oldUs: [] as number[],
    newUs: [] as number[],
  };

  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [pattern, host]] of CASES.entries()) {
      const m = matchers[i]!;
      // Round 0 finds the lengths the previous engine still finishes; later rounds repeat those.
      const lengths = round === 0 ? OLD_LENGTHS : (oldLengths.get(pattern) ?? []);
      const measured: number[] = [];
      for (const length of lengths) {
        const key = `${pattern}@${length}`;
        measured.push(length);
        if (overBudget.has(key)) continue;
        const c = cell(pattern, length);
        const old = time(m.old, host(length));
        c.old.push(old.us);
        c.verdicts.add(`old:${old.verdict}`);
        if (old.us / 1000 > OLD_BUDGET_MS) {
          overBudget.add(key);
          break;
        }
      }
      if (round === 0) oldLengths.set(pattern, measured);
      for (const length of NEW_LENGTHS) {
        const c = cell(pattern, length);
        const now = time(m.new, host(length));
        c.new.push(now.us);
        c.verdicts.add(`new:${now.verdict}`);
      }
    }
    ordinary.oldUs.push(time(ordinary.old, ORDINARY[1]).us);
    ordinary.newUs.push(time(ordinary.new, ORDINARY[1]).us);
  }

  const us = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${v.toFixed(2)} µs`);
  console.log(`route matching: median of ${ROUNDS} alternating rounds, µs per test() of one host`);
  console.log(
    `node ${process.version}; previous = new RegExp (backtracking), new = RE2 via common/route-pattern.ts`,
  );
  console.log('');
  console.log(
    `${'pattern'.padEnd(18)}${'host'.padStart(5)}${'previous'.padStart(14)}${'growth'.padStart(9)}${'new'.padStart(12)}${'prev/new'.padStart(11)}  verdict`,
  );
  let worstNew = 0;
  for (const [pattern] of CASES) {
    const measuredOld = oldLengths.get(pattern) ?? [];
    let previousOld: number | undefined;
    for (const [j, length] of NEW_LENGTHS.entries()) {
      const c = cell(pattern, length);
      const oldUs = measuredOld.includes(length) && c.old.length > 0 ? median(c.old) : undefined;
      const newUs = median(c.new);
      worstNew = Math.max(worstNew, newUs);
      const growth =
        oldUs !== undefined && previousOld !== undefined ? `×${(oldUs / previousOld).toFixed(1)}` : '';
      const runs = oldUs !== undefined && c.old.length === 1 && ROUNDS > 1 ? ' (1 run)' : '';
      const verdicts = [...c.verdicts].map((v) => v.split(':')[1]);
      const verdict =
        new Set(verdicts).size === 1 ? String(verdicts[0]) : `DIFFER ${[...c.verdicts].join(' ')}`;
      console.log(
        `${(j === 0 ? pattern : '').padEnd(18)}${String(length).padStart(5)}` +
          `${(oldUs === undefined ? '—' : us(oldUs)).padStart(14)}${growth.padStart(9)}` +
          `${us(newUs).padStart(12)}${(oldUs === undefined ? '' : `${(oldUs / newUs).toFixed(0)}×`).padStart(11)}` +
          `  ${verdict}${runs}`,
      );
      if (oldUs !== undefined) previousOld = oldUs;
    }
  }
  const [oldOrdinary, newOrdinary] = [median(ordinary.oldUs), median(ordinary.newUs)];
  console.log(
    `${'ordinary:'.padEnd(18)}${String(ORDINARY[1].length).padStart(5)}${us(oldOrdinary).padStart(14)}` +
      `${''.padStart(9)}${us(newOrdinary).padStart(12)}${`${(oldOrdinary / newOrdinary).toFixed(2)}×`.padStart(11)}` +
      `  ${ORDINARY[0]} against ${ORDINARY[1]}`,
  );
  console.log('');
  console.log(`growth: previous engine's time over the previous row's (host 4 characters longer)`);
  console.log(
    `goal: every new cell well under 1 ms: worst ${us(worstNew)} → ${worstNew < 1000 ? 'met' : 'MISSED'}`,
  );
}

main();
