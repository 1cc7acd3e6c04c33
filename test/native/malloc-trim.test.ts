import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/deployed-app.ts';

/**
 * In a process of its own: 160 MB of 8 KB buffers (below glibc's mmap threshold, so on its heap), every
 * 16th kept, the rest collected. glibc keeps the freed pages between the kept blocks resident; `trim`
 * must give them back.
 */
const FRAGMENT_THEN_TRIM = `
const { trim } = require('@promregator/malloc-trim');
const { readFileSync } = require('node:fs');
const anonMb = () => Number(/RssAnon:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
let buffers = Array.from({ length: 20000 }, () => Buffer.alloc(8000, 1));
buffers = buffers.filter((_, i) => i % 16 === 0);
const settle = (then) => setTimeout(() => { gc(); setTimeout(() => { gc(); setTimeout(then, 300); }, 100); }, 100);
settle(() => {
  const before = anonMb();
  const released = trim();
  console.log(JSON.stringify({ before, after: anonMb(), released, kept: buffers.length }));
});
`;

describe.skipIf(process.platform !== 'linux')('malloc-trim addon', () => {
  it('gives the free pages of a fragmented malloc heap back to the OS', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '-e', FRAGMENT_THEN_TRIM], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    const { before, after, released, kept } = JSON.parse(out) as Record<string, number | boolean>;
    expect(kept).toBe(1250);
    expect(released).toBe(true);
    // ~150 MB were freed between live blocks; nearly all of it must leave the resident set.
    expect((before as number) - (after as number)).toBeGreaterThan(100);
  });
});
