/** Who is asking, after authentication: a service key reads its own instance's targets, a reader all. */
export type Caller = { kind: 'reader' } | { kind: 'key'; instanceId: string };

/** The authorization invariant in one place. */
export function canRead(caller: Caller, target: { instanceId: string }): boolean {
  return caller.kind === 'reader' || caller.instanceId === target.instanceId;
}

/** Stable identity of what a caller can see, for sharing work between callers with the same view. */
export function visibilityKey(caller: Caller): string {
  return caller.kind === 'reader' ? '*' : `key:${caller.instanceId}`;
}
