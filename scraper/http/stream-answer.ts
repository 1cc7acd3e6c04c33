import type { ServerResponse } from 'node:http';
import type { WindowSource, Windows } from './windows.ts';

/** Windows written ahead of the one the sockets are still taking: enough to keep a socket busy. */
const AHEAD = 2;

/**
 * An uncompressed answer written to every response sharing it, window by window as the sockets take
 * them: the merge writes a window, every response writes it, and the window is reused once every
 * socket has taken it. So a scrape holds its bodies and two windows, never the whole answer; a slow
 * reader slows the others sharing its fan-out, as it would have held their memory before.
 *
 * Every response attaches before the first window is written (all callers of a fan-out resume in the
 * same microtask turn; writing starts on the next macrotask). A response closed before it finished is
 * dropped; the windows it may still have queued are left to the GC instead of being reused.
 */
export class StreamedAnswer {
  private readonly responses = new Set<ServerResponse>();
  private scheduled = false;
  private writing = false;
  private reuse = true;

  constructor(
    private readonly source: WindowSource,
    private readonly windows: Windows,
    /** Called once the source has been read to its end or given up on. */
    private readonly release: () => void,
  ) {}

  /** `res` (its head written) gets the body; with `head` it is only counted, for HEAD requests. */
  attach(res: ServerResponse, head = false): void {
    if (!head && !this.writing) {
      this.responses.add(res);
      res.once('close', () => {
        if (!res.writableFinished) {
          this.reuse = false;
          this.responses.delete(res);
        }
      });
    } else if (!head) {
      // Too late to share what is already written (cannot happen within one fan-out, see above).
      res.destroy(new Error('answer already streaming'));
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.pump());
    }
  }

  private async pump(): Promise<void> {
    this.writing = true;
    const queued: Promise<void>[] = [];
    try {
      while (this.responses.size > 0) {
        const window = this.windows.take();
        const part = this.source.next(window);
        if (part === undefined) {
          this.windows.give(window);
          break;
        }
        const writes = [...this.responses].map((res) => written(res, part));
        queued.push(Promise.all(writes).then(() => (this.reuse ? this.windows.give(window) : undefined)));
        if (queued.length >= AHEAD) await queued.shift();
      }
    } catch (err) {
      for (const res of this.responses) res.destroy(err instanceof Error ? err : new Error(String(err)));
      this.responses.clear();
    } finally {
      this.release();
    }
    for (const res of this.responses) res.end();
    await Promise.all(queued);
  }
}

/** Resolves once `res` has handed `part` to its socket, or has closed. */
function written(res: ServerResponse, part: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const onClose = () => resolve();
    res.once('close', onClose);
    res.write(part, () => {
      res.off('close', onClose);
      resolve();
    });
  });
}
