/**
 * Destroys a response body we no longer want. undici's body emits an AbortError when destroyed early;
 * without a listener that would be an uncaught exception, so one is attached first.
 */
export function discard(stream: { on(event: 'error', fn: () => void): unknown; destroy(): unknown }): void {
  stream.on('error', () => {});
  stream.destroy();
}
