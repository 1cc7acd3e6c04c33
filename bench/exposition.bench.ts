// Run: npm run bench:exposition   (compiled by tsc like the deployed scraper and run by plain node, as the
// merge runs in production; `npx tsx bench/exposition.bench.ts` runs it under tsx, whose esbuild service
// slows the process's typed-array code, so the merge and not the string-based peer, by 15–20%)
//
// Exposition pipeline (BENCHMARKS.md): the two text fixtures, each the body of 100 instances (200
// bodies), each instance with its own target labels. Measured in one process, alternating A B C:
//   A  ours:  parse → add instance labels → merge families across the 200 bodies → write to buffers
//   B  peer:  parse-prometheus-text-format parsing the same 200 bodies (parse only; given ready strings)
//   C  floor: split('\n') + join over the same bytes (ready strings)
// Throughput is input MB/s (all three read the same bytes). Goal: A ≥ 6× B, judged on the steady
// (no forced GC) rounds; the forced-GC rounds are printed for information.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { ChunkPool, type MergeInput, mergeExpositions } from '../scraper/exposition/index.ts';

const ROUNDS = 11;
const WARMUP = 3;
const INSTANCES_PER_FIXTURE = 100;

/** The project's root: the nearest folder above this file with a package.json (from bench/ or dist/bench/). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const fixtures = join(projectRoot(), '../shared/fixtures/exposition');
const bodies = ['alltypes.237mfs.prom.txt', 'node_exporter.e2e-output.txt'].map((f) =>
  readFileSync(join(fixtures, f)),
);

const inputs: MergeInput[] = [];
bodies.forEach((body, f) => {
  for (let i = 0; i < INSTANCES_PER_FIXTURE; i++) {
    const appGuid = `5c2b7e1a-0d3f-4b8e-9a61-${String(f).padStart(4, '0')}${String(i).padStart(8, '0')}`;
    inputs.push({
      body,
      contentType: 'text/plain; version=0.0.4',
      targetLabels: [
        ['org_name', 'acme-production'],
        ['space_name', 'payments-eu10'],
        ['app_name', `checkout-service-${f}`],
        ['cf_instance_id', `${appGuid}:${i}`],
        ['cf_instance_number', String(i)],
      ],
      honorLabels: false,
    });
  }
});
const strings = inputs.map((input) => input.body.toString('utf8'));
const inputBytes = inputs.reduce((n, input) => n + input.body.length, 0);

let sink = 0; // keeps results observable so no run is optimised away
let outputBytes = 0;

// As a server would: the output chunks go back to the pool once the response is written.
const pool = new ChunkPool(256 << 20);
function ours(): void {
  const result = mergeExpositions(inputs, 'text', pool);
  outputBytes = result.bytes;
  sink += result.chunks.length + result.inputs.length;
  result.release();
}

function peer(): void {
  for (const s of strings) sink += parsePrometheusTextFormat(s).length;
}

function floor(): void {
  for (const s of strings) sink += s.split('\n').join('\n').length;
}

// Two variants, measured in the same run, each in its own alternating rounds:
//   steady (primary): no forced GC, as a server runs — each contender pays for the garbage it and
//     the others leave behind, as it would in a process doing other work. A server never forces GC.
//   forced-GC (information): a full collection before each measured call, so none pays for the
//     garbage another left behind (the peer leaves ~1 GB of parsed objects per round).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function time(fn: () => void, forceGc: boolean): number {
  if (forceGc) gc();
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const mbps = (ms: number) => inputBytes / 1e6 / (ms / 1000);

interface Runs {
  ours: number[];
  peer: number[];
  floor: number[];
}
const rssBefore = process.memoryUsage().rss;
let heapPeakOurs = 0;

function measure(label: string, forceGc: boolean): Runs {
  const runs: Runs = { ours: [], peer: [], floor: [] };
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const heapBase = process.memoryUsage().heapUsed;
    const tA = time(ours, forceGc);
    if (forceGc) heapPeakOurs = Math.max(heapPeakOurs, process.memoryUsage().heapUsed - heapBase);
    const tB = time(peer, forceGc);
    const tC = time(floor, forceGc);
    if (r < WARMUP) continue;
    runs.ours.push(tA);
    runs.peer.push(tB);
    runs.floor.push(tC);
    console.log(
      `${label} round ${r - WARMUP + 1}: ours ${mbps(tA).toFixed(0)} MB/s  peer ${mbps(tB).toFixed(0)} MB/s  floor ${mbps(tC).toFixed(0)} MB/s`,
    );
  }
  return runs;
}

function report(title: string, runs: Runs): void {
  const a = median(runs.ours);
  const b = median(runs.peer);
  const c = median(runs.floor);
  console.log(`${title}, median of ${ROUNDS} alternating rounds (MB/s of input):`);
  console.log(
    `  ours  (parse+relabel+merge+write) ${mbps(a).toFixed(0).padStart(6)} MB/s  ${a.toFixed(1)} ms`,
  );
  console.log(
    `  peer  (parse-prometheus-text-format) ${mbps(b).toFixed(0).padStart(3)} MB/s  ${b.toFixed(1)} ms`,
  );
  console.log(
    `  floor (split+join)                ${mbps(c).toFixed(0).padStart(6)} MB/s  ${c.toFixed(1)} ms`,
  );
  console.log(`  ratio ours/peer  ${(b / a).toFixed(2)}×  (goal ≥ 6×)`);
  console.log(`  ratio ours/floor ${(c / a).toFixed(2)}×`);
}

const steady = measure('steady', false);
const forced = measure('forced-GC', true);

const mem = process.memoryUsage();
console.log(
  `\ninput ${mb(inputBytes)} MB in ${inputs.length} bodies → output ${mb(outputBytes)} MB (text 0.0.4)`,
);
report('PRIMARY — steady state, no forced GC (a server never forces GC)', steady);
report('for information — full GC forced before every call', forced);
console.log(
  `memory: rss ${mb(mem.rss)} MB (start ${mb(rssBefore)} MB, max ${mb(process.resourceUsage().maxRSS * 1024)} MB), ` +
    `heap used ${mb(mem.heapUsed)} MB, ours' heap growth per run (forced-GC rounds) ≤ ${mb(heapPeakOurs)} MB, external ${mb(mem.external)} MB, arrayBuffers ${mb(mem.arrayBuffers)} MB`,
);
if (sink === 0) console.log('');
