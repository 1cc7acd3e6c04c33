/** An answer written on demand into memory the caller lends (MergeOutput#next). */
export interface WindowSource {
  next(window: Buffer): Buffer | undefined;
}

/** Where the windows come from (a ChunkPool); each goes back once nothing reads it any more. */
export interface Windows {
  take(): Buffer;
  give(window: Buffer): void;
}
