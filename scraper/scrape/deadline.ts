/**
 * The time budget of one scrape: Prometheus's own timeout (minus a margin so our answer arrives before it
 * gives up) wins; else the binding's scrape_timeout_ms; else the configured default.
 */
export function scrapeBudgetMs(
  prometheusTimeoutHeader: string | undefined,
  bindingTimeoutMs: number | undefined,
  defaults: { defaultTimeoutMs: number; timeoutMarginMs: number },
): number {
  const seconds = prometheusTimeoutHeader === undefined ? Number.NaN : Number(prometheusTimeoutHeader);
  if (Number.isFinite(seconds) && seconds > 0) {
    // Never below a floor: a tiny header minus the margin must still allow a fast target to answer.
    return Math.max(seconds * 1000 - defaults.timeoutMarginMs, Math.min(100, seconds * 1000));
  }
  if (bindingTimeoutMs !== undefined && bindingTimeoutMs > 0) return bindingTimeoutMs;
  return defaults.defaultTimeoutMs;
}
