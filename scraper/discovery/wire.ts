// CC v3 wire shapes as far as discovery reads them. Every field is optional: a CC version or a foundation
// may leave any of them out, and the parser below must degrade, not throw.

export interface WireRef {
  data?: { guid?: string } | null;
}

export interface WireApp {
  guid?: string;
  name?: string;
  state?: string;
  relationships?: { space?: WireRef };
}

export interface WireSpace {
  guid?: string;
  name?: string;
  relationships?: { organization?: WireRef };
}

export interface WireNamed {
  guid?: string;
  name?: string;
}

export interface WireDomain extends WireNamed {
  internal?: boolean;
}

export interface WireRoute {
  guid?: string;
  protocol?: string;
  host?: string;
  path?: string;
  port?: number | null;
  url?: string;
  destinations?: Array<{ app?: { guid?: string; process?: { type?: string } }; port?: number | null }>;
  relationships?: { domain?: WireRef };
}

export interface WireProcess {
  guid?: string;
  type?: string;
  instances?: number;
  relationships?: { app?: WireRef };
}

export interface WireStats {
  resources?: Array<{ index?: number; state?: string; type?: string }>;
}

/** Resources of one `included` kind that carry a guid, by guid. */
export function byGuid<T extends { guid?: string }>(list: unknown[] | undefined): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of list ?? []) {
    const guid = (item as T | null)?.guid;
    if (typeof guid === 'string') map.set(guid, item as T);
  }
  return map;
}
