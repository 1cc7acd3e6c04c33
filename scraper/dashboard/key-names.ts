import type { CloudControllerClient } from '../cf/types.ts';

/**
 * Service key names live in the CC only (OSB never sends them): read with the scraper's own CC login,
 * `GET /v3/service_credential_bindings?service_instance_guids=<id>&type=key`, kept for a minute per
 * instance, one request in flight per instance. A page waits for them only briefly; a slow or failing CC
 * leaves the names out (the page shows the key GUIDs), never the page.
 */
export class KeyNames {
  private readonly entries = new Map<string, { names: ReadonlyMap<string, string>; at: number }>();
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly cc: Pick<CloudControllerClient, 'listAll'>,
    private readonly clock: () => number,
    private readonly ttlMs = 60_000,
    private readonly budgetMs = 500,
    private readonly maxInstances = 1_000,
  ) {}

  /** Key GUID → name for the instance; undefined when the CC has not answered (yet). */
  async lookup(instanceId: string): Promise<ReadonlyMap<string, string> | undefined> {
    const entry = this.entries.get(instanceId);
    if (entry && this.clock() - entry.at < this.ttlMs) return entry.names;
    let pending = this.inflight.get(instanceId);
    if (!pending) {
      pending = this.fetch(instanceId).finally(() => this.inflight.delete(instanceId));
      this.inflight.set(instanceId, pending);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      pending,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.budgetMs);
      }),
    ]);
    clearTimeout(timer);
    return this.entries.get(instanceId)?.names;
  }

  private async fetch(instanceId: string): Promise<void> {
    try {
      const list = await this.cc.listAll<{ guid?: unknown; name?: unknown }>(
        `/v3/service_credential_bindings?service_instance_guids=${encodeURIComponent(instanceId)}&type=key&per_page=5000`,
      );
      const names = new Map<string, string>();
      for (const k of list.resources) {
        if (typeof k.guid === 'string' && typeof k.name === 'string') names.set(k.guid, k.name);
      }
      this.entries.delete(instanceId);
      if (this.entries.size >= this.maxInstances) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(instanceId, { names, at: this.clock() });
    } catch {
      // Keep what we had: names are a convenience, the GUIDs are on the page anyway.
    }
  }
}
