import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SharedChunks } from '../../../scraper/http/respond.ts';

function response(): EventEmitter & { writableFinished: boolean } {
  return Object.assign(new EventEmitter(), { writableFinished: false });
}

function close(res: ReturnType<typeof response>, finished: boolean): void {
  res.writableFinished = finished;
  res.emit('close');
}

describe('SharedChunks', () => {
  it('releases once the last response sharing the body has finished', () => {
    let released = 0;
    const shared = new SharedChunks(() => released++);
    const a = response();
    const b = response();
    shared.use(a as unknown as ServerResponse);
    shared.use(b as unknown as ServerResponse);
    close(a, true);
    expect(released).toBe(0);
    close(b, true);
    expect(released).toBe(1);
  });

  it('never releases when a response was cut off (its writes may still be queued)', () => {
    let released = 0;
    const shared = new SharedChunks(() => released++);
    const a = response();
    const b = response();
    shared.use(a as unknown as ServerResponse);
    shared.use(b as unknown as ServerResponse);
    close(a, false);
    close(b, true);
    expect(released).toBe(0);
  });
});
