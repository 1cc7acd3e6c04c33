/**
 * A scrape of one instance ends in exactly one of these values; nothing a target does escapes as an
 * exception. `reason` is a short stable token (metrics label and `reason` label of the output), e.g.
 * `timeout`, `refused`, `http_500`, `router_unknown_route`, `body_too_large`, `redirect`.
 */
export type ScrapeOutcome =
  | { ok: true; body: Buffer; contentType: string | undefined; durationMs: number }
  | {
      ok: false;
      reason: string;
      durationMs: number;
      /** What a person needs to see beyond the reason (status and gorouter error, transport error); bounded. */
      detail?: string;
    };

/**
 * An outcome once the merge has taken its body in: without it, since the body's memory is reused
 * (BodyArena), possibly for another tenant's scrape.
 */
export type SettledOutcome =
  | { ok: true; contentType: string | undefined; durationMs: number }
  | Extract<ScrapeOutcome, { ok: false }>;

export function settled(outcome: ScrapeOutcome): SettledOutcome {
  return outcome.ok
    ? { ok: true, contentType: outcome.contentType, durationMs: outcome.durationMs }
    : outcome;
}

/** Where and how one instance is fetched (built from a discovered target and an instance index). */
export interface InstanceRequest {
  /** Absolute URL: scheme, route host (or `<index>.<host>:<port>` for internal routes), path. */
  url: string;
  /** `X-CF-APP-INSTANCE` value; absent for internal routes, which address the instance by host. */
  instanceHeader: string | undefined;
}
