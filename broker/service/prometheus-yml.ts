import { stringify } from 'yaml';

export interface ScrapeJobInput {
  jobName: string;
  /** The per-space metrics URL the job scrapes. */
  url: string;
  username: string;
  password: string;
}

/**
 * A prometheus.yml `scrape_configs` snippet for one service key, ready to paste. Prometheus wants host and
 * path apart, and an explicit port in `targets`, so both come from the URL, default port included.
 */
export function prometheusScrapeJob(input: ScrapeJobInput): string {
  const url = new URL(input.url);
  const scheme = url.protocol.replace(/:$/, '');
  const port = url.port || (scheme === 'https' ? '443' : '80');
  return stringify(
    {
      scrape_configs: [
        {
          job_name: input.jobName,
          scheme,
          metrics_path: url.pathname,
          static_configs: [{ targets: [`${url.hostname}:${port}`] }],
          basic_auth: { username: input.username, password: input.password },
        },
      ],
    },
    { lineWidth: 0 },
  );
}

/** Job names show up as the `job` label; keep them to characters nobody has to quote or escape. */
export function jobNameFor(name: string): string {
  return `promregator-${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}`;
}
