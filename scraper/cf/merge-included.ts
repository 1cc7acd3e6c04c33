/** Adds a page's `included` (kind → resources) to the accumulator, de-duplicated by guid. */
export function mergeIncluded(into: Map<string, Map<string, unknown>>, included: unknown): void {
  if (!included || typeof included !== 'object') return;
  for (const [kind, list] of Object.entries(included as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue;
    let byGuid = into.get(kind);
    if (!byGuid) {
      byGuid = new Map();
      into.set(kind, byGuid);
    }
    for (const item of list) {
      const guid = (item as { guid?: unknown } | null)?.guid;
      if (typeof guid === 'string') byGuid.set(guid, item);
    }
  }
}
