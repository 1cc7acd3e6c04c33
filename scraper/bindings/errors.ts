/** Stable codes of the bindings store's own failures (a failed reload is logged, not thrown, except at start). */
export type BindingsErrorCode = 'BINDINGS_START_TIMEOUT' | 'BINDINGS_STOPPED';

export class BindingsError extends Error {
  override readonly name = 'BindingsError';
  constructor(
    readonly code: BindingsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
