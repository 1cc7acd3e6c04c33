import { constants, createGunzip, type Gunzip } from 'node:zlib';

/**
 * What node:zlib's engines use underneath (node_zlib.cc): `writeSync` runs the native inflate loop
 * (concatenated members included) on the caller's thread and reports errors through `onerror`; the
 * engine's `_writeState` receives the output and input space left. gunzipSync drives the very same
 * calls, but per body it builds a stream object and a zlib state, allocates the output in a buffer of
 * its own and closes it all again.
 */
interface NativeZlib {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  reset(): void;
  close(): void;
  onerror: (message: string, errno: number) => void;
}

interface Engine {
  native: NativeZlib;
  state: Uint32Array;
  /** Set by `onerror` during a call. */
  failure: { message: string; errno: number } | undefined;
}

let engine: Engine | undefined;
/** False once this Node's zlib turned out not to have the shape above: gunzipSync serves every body. */
let usable = true;

function takeEngine(): Engine | undefined {
  if (engine !== undefined || !usable) return engine;
  const stream = createGunzip() as Gunzip & { _handle?: unknown; _writeState?: unknown };
  const native = stream._handle as NativeZlib | undefined;
  const state = stream._writeState;
  if (
    typeof native?.writeSync !== 'function' ||
    typeof native.reset !== 'function' ||
    !(state instanceof Uint32Array)
  ) {
    usable = false;
    stream.destroy();
    return undefined;
  }
  const e: Engine = { native, state, failure: undefined };
  // Replaces the stream's own handler, which would destroy the stream (and the handle with it).
  native.onerror = (message, errno) => {
    e.failure ??= { message, errno };
  };
  engine = e;
  return e;
}

/** zlib's return codes by number, named as gunzipSync names its errors' `code`. */
const ZLIB_CODES = new Map<number, string>(
  (
    [
      'Z_NEED_DICT',
      'Z_ERRNO',
      'Z_STREAM_ERROR',
      'Z_DATA_ERROR',
      'Z_MEM_ERROR',
      'Z_BUF_ERROR',
      'Z_VERSION_ERROR',
    ] as const
  ).map((name) => [constants[name], name]),
);

/**
 * Inflates the whole gzip stream `compressed` straight into `room` on this thread, with one zlib state
 * kept for the process: returns the inflated size, or undefined when it may not have fitted (`room`
 * filled up; the caller inflates the usual way, with its own bound). Throws, like gunzipSync, on a
 * stream zlib refuses (bad header or data, wrong CRC or length, truncated), with zlib's code.
 *
 * For 200 bodies of ~6 KB gzip (100 KB inflated) this took 10 ms of CPU against 33–39 ms for
 * gunzipSync plus the copy into the arena, in a process with the scraper's mmap threshold: there every
 * 100 KB output buffer of gunzipSync was pages mapped, faulted in and unmapped again.
 */
export function gunzipInto(compressed: Uint8Array, room: Uint8Array): number | undefined {
  const e = takeEngine();
  if (e === undefined) return undefined;
  e.failure = undefined;
  e.native.reset();
  e.native.writeSync(constants.Z_FINISH, compressed, 0, compressed.length, room, 0, room.length);
  const failure = e.failure as Engine['failure'];
  if (failure !== undefined) {
    // A fresh state for the next body rather than trusting zlib's after an error.
    engine = undefined;
    e.native.close();
    throw Object.assign(new Error(failure.message), {
      errno: failure.errno,
      code: ZLIB_CODES.get(failure.errno) ?? 'Z_ERRNO',
    });
  }
  const outLeft = e.state[0] as number;
  return outLeft === 0 ? undefined : room.length - outLeft;
}
