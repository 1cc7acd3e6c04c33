/**
 * The operator's allow-list of host patterns (`OAUTH2_TOKEN_HOSTS`): `*` stands for exactly one DNS
 * label, every other label must be equal. Matching compares label by label, so its cost is linear in the
 * host's length whatever the operator wrote; no pattern is ever turned into a regular expression.
 */
export type HostPattern = readonly string[];

const LABEL = /^(\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;

/** Lower-cased, without a trailing dot: the form `new URL()` gives a host name, minus the root dot. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Parses one pattern; a message when it is not a host name whose labels may be `*`. */
export function parseHostPattern(text: string): HostPattern | string {
  const host = normalizeHost(text.trim());
  if (host === '') return 'empty host pattern';
  const labels = host.split('.');
  if (host.length > 253 || !labels.every((label) => LABEL.test(label))) {
    return `"${text.trim()}" is not a host name (labels of letters, digits, "-", or "*" for one label)`;
  }
  return labels;
}

/** True when the (normalized) host matches one of the patterns. */
export function hostAllowed(host: string, patterns: readonly HostPattern[]): boolean {
  const labels = host.split('.');
  return patterns.some(
    (pattern) => pattern.length === labels.length && pattern.every((p, i) => p === '*' || p === labels[i]),
  );
}
