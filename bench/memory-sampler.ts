import { Worker } from 'node:worker_threads';

/**
 * Resident memory of whole process groups (BENCHMARKS.md "Memory"): the sum of VmRSS over every process
 * whose process group is the app's, sampled every `intervalMs`. The sampling runs on a worker thread so a
 * busy bench event loop (it also hosts the sandbox's targets) cannot delay a sample past a peak. Group
 * membership is rescanned once a second; the apps are single processes, so that only matters if one
 * starts a child.
 */
export interface GroupSampler {
  /** Latest sample of group `i`, bytes. */
  current(i: number): number;
  /** Highest sample of group `i` since the start or the last `resetPeaks`, bytes. */
  peak(i: number): number;
  resetPeaks(): void;
  stop(): Promise<void>;
}

// Plain JavaScript: a worker started from source text needs no TypeScript loader.
const WORKER = `
const { readdirSync, readFileSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const { pgids, slots, intervalMs } = workerData;
const cells = new Int32Array(slots);
let members = pgids.map(() => []);
function groupOf(pid) {
  const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}
function rescan() {
  const next = pgids.map(() => []);
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57) continue;
    try {
      const i = pgids.indexOf(groupOf(entry));
      if (i >= 0) next[i].push(entry);
    } catch {}
  }
  members = next;
}
function rssKb(pid) {
  try {
    const status = readFileSync('/proc/' + pid + '/status', 'utf8');
    const at = status.indexOf('VmRSS:');
    return at < 0 ? 0 : parseInt(status.slice(at + 6), 10);
  } catch {
    return 0;
  }
}
let tick = 0;
rescan();
setInterval(() => {
  if (++tick % Math.max(1, Math.round(1000 / intervalMs)) === 0) rescan();
  for (let i = 0; i < pgids.length; i++) {
    let kb = 0;
    for (const pid of members[i]) kb += rssKb(pid);
    Atomics.store(cells, 2 * i, kb);
    if (kb > Atomics.load(cells, 2 * i + 1)) Atomics.store(cells, 2 * i + 1, kb);
  }
}, intervalMs);
`;

export async function sampleGroups(pgids: number[], intervalMs = 25): Promise<GroupSampler> {
  const slots = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * 2 * pgids.length);
  const cells = new Int32Array(slots);
  const worker = new Worker(WORKER, { eval: true, workerData: { pgids, slots, intervalMs } });
  // Wait for the first sample so `current` never reads an unsampled zero.
  while (pgids.some((_, i) => Atomics.load(cells, 2 * i) === 0)) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return {
    current: (i) => Atomics.load(cells, 2 * i) * 1024,
    peak: (i) => Atomics.load(cells, 2 * i + 1) * 1024,
    resetPeaks() {
      for (let i = 0; i < pgids.length; i++) Atomics.store(cells, 2 * i + 1, Atomics.load(cells, 2 * i));
    },
    async stop() {
      await worker.terminate();
    },
  };
}
