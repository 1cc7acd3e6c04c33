/** Stable codes of discovery's own failures (CC failures stay CfError, as their cause). */
export type DiscoveryErrorCode =
  /** The audit event feed could not be read (403 without auditor authority, CC errors, timeouts). */
  | 'FEED_UNAVAILABLE'
  /** More events than the feed reads at once since the cursor: a full discovery replaces them. */
  | 'FEED_GAP'
  /** The shared view could not be written (database down, or this instance lost the discoverer lock). */
  | 'VIEW_WRITE_FAILED';

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
