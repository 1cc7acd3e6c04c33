import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LiveBody, SharedChunks } from '../../../scraper/http/respond.ts';

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

function liveResponse(method = 'GET') {
  const res = Object.assign(new EventEmitter(), {
    req: { method },
    writableFinished: false,
    writableEnded: false,
    destroyed: false,
    head: undefined as undefined | { status: number; headers: Record<string, string | number> },
    body: [] as string[],
    writeHead(status: number, headers: Record<string, string | number>) {
      res.head = { status, headers };
    },
    write(chunk: Buffer) {
      res.body.push(chunk.toString());
      return true;
    },
    end() {
      res.writableEnded = true;
    },
  });
  return res;
}

describe('LiveBody', () => {
  it('writes every chunk to each subscriber as it comes, replays to a late one, releases after all finished', () => {
    let released = 0;
    const live = new LiveBody(200, 'text/plain');
    const early = liveResponse();
    const head = liveResponse('HEAD');
    live.subscribe(early as unknown as ServerResponse);
    live.subscribe(head as unknown as ServerResponse);
    expect(early.head).toBeUndefined();
    live.begin(6);
    expect(early.head?.headers['content-length']).toBe(6);
    expect(head.writableEnded).toBe(true);
    live.chunk(Buffer.from('abc'));
    expect(early.body).toEqual(['abc']);
    const late = liveResponse();
    live.subscribe(late as unknown as ServerResponse);
    expect(late.body).toEqual(['abc']);
    live.chunk(Buffer.from('def'));
    live.end(() => released++);
    for (const res of [early, late]) {
      expect(res.body.join('')).toBe('abcdef');
      expect(res.writableEnded).toBe(true);
    }
    expect(head.body).toEqual([]);
    for (const res of [early, head, late]) {
      res.writableFinished = true;
      res.emit('close');
    }
    expect(released).toBe(1);
  });
});
