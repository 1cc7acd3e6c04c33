import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { jobNameFor, prometheusScrapeJob } from '../../../broker/service/prometheus-yml.ts';

describe('prometheus.yml snippet of a service key', () => {
  const cases: Array<[string, string, string, string]> = [
    [
      'https://scraper.example.com/v1/spaces/s/metrics',
      'https',
      'scraper.example.com:443',
      '/v1/spaces/s/metrics',
    ],
    ['http://localhost:8081/v1/spaces/s/metrics', 'http', 'localhost:8081', '/v1/spaces/s/metrics'],
    ['http://10.0.0.1/prefix/v1/spaces/s/metrics', 'http', '10.0.0.1:80', '/prefix/v1/spaces/s/metrics'],
    ['https://[::1]:9443/v1/spaces/s/metrics', 'https', '[::1]:9443', '/v1/spaces/s/metrics'],
  ];
  it.each(cases)('%s → scheme %s, target %s, path %s', (url, scheme, target, path) => {
    const password = 'p: "quoted" # not a comment';
    const yml = parse(prometheusScrapeJob({ jobName: 'promregator-x', url, username: 'u', password }));
    expect(yml).toEqual({
      scrape_configs: [
        {
          job_name: 'promregator-x',
          scheme,
          metrics_path: path,
          static_configs: [{ targets: [target] }],
          basic_auth: { username: 'u', password },
        },
      ],
    });
  });

  it('makes job names from instance names without characters that need quoting', () => {
    expect(jobNameFor('my metrics/prod')).toBe('promregator-my-metrics-prod');
  });
});
