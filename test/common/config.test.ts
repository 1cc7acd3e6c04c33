import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../common/config/index.ts';

const deployedBroker = {
  DATABASE_URL: 'postgres://u:p@db:5432/x',
  BROKER_USERNAME: 'broker',
  BROKER_PASSWORD: 'secret-pass',
  CREDENTIALS_KEY: '0123456789abcdef0123',
  SCRAPER_PUBLIC_URL: 'https://promregator.apps.example.com',
};

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config precedence: defaults < YAML file < environment < VCAP', () => {
  const yaml = `
promregator:
  port: 9000
  logLevel: debug
  scraperPublicUrl: https://from-yaml.example.com
  scrape:
    defaultTimeoutMs: 3000
`;
  const readFile = () => yaml;

  it('uses defaults when nothing else is set', () => {
    const config = buildConfig('local', { env: {} });
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe('info');
    expect(config.scrape.defaultTimeoutMs).toBe(10_000);
    expect(config.scrape.requestConcurrency).toBe(48);
  });

  it('takes the fetches in flight per space scrape from SCRAPE_SPACE_CONCURRENCY, a positive integer', () => {
    const env = { SCRAPE_SPACE_CONCURRENCY: '96' };
    expect(buildConfig('local', { env }).scrape.requestConcurrency).toBe(96);
    expect(() => buildConfig('local', { env: { SCRAPE_SPACE_CONCURRENCY: '0' } })).toThrow(
      /scrape\.requestConcurrency/,
    );
  });

  it('lets the YAML file override defaults and the environment override the file', () => {
    const config = buildConfig('local', {
      env: { PROMREGATOR_CONFIG: '/etc/p.yml', PORT: '9100', SCRAPER_PUBLIC_URL: 'https://env.example.com' },
      readFile,
    });
    expect(config.port).toBe(9100);
    expect(config.logLevel).toBe('debug');
    expect(config.scraperPublicUrl).toBe('https://env.example.com');
    expect(config.scrape.defaultTimeoutMs).toBe(3000);
  });

  it('lets a VCAP_SERVICES Postgres binding override nothing the operator set explicitly', () => {
    const vcap = JSON.stringify({
      postgres: [{ label: 'postgres', credentials: { uri: 'postgres://v:w@vcap:5432/db' } }],
    });
    expect(buildConfig('local', { env: { VCAP_SERVICES: vcap } }).database.url).toBe(
      'postgres://v:w@vcap:5432/db',
    );
    expect(
      buildConfig('local', { env: { VCAP_SERVICES: vcap, DATABASE_URL: 'postgres://e:f@env:5432/db' } })
        .database.url,
    ).toBe('postgres://e:f@env:5432/db');
  });

  it('returns a frozen object', () => {
    const config = buildConfig('local', { env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.scrape)).toBe(true);
  });
});

describe('VCAP_SERVICES Postgres shapes', () => {
  it('reads a uri credential (tagged postgres)', () => {
    const vcap = {
      'a9s-postgresql': [
        { label: 'a9s-postgresql11', tags: ['postgres'], credentials: { uri: 'postgres://a:b@h:1/d' } },
      ],
    };
    const config = buildConfig('local', { env: { VCAP_SERVICES: JSON.stringify(vcap) } });
    expect(config.database.url).toBe('postgres://a:b@h:1/d');
  });

  it('reads hostname/port (a string)/dbname/username/password and TLS fields (SAP BTP shape)', () => {
    const vcap = {
      'postgresql-db': [
        {
          label: 'postgresql-db',
          tags: ['relational', 'database'],
          credentials: {
            hostname: 'pg.internal',
            port: '2345',
            dbname: 'db1',
            username: 'us er',
            password: 'p@ss/word',
            sslrootcert: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----',
          },
        },
      ],
    };
    const config = buildConfig('local', { env: { VCAP_SERVICES: JSON.stringify(vcap) } });
    expect(config.database.url).toBe('postgres://us%20er:p%40ss%2Fword@pg.internal:2345/db1');
    expect(config.database.ssl).toMatchObject({
      rejectUnauthorized: true,
      ca: expect.stringContaining('BEGIN'),
    });
  });

  it('reads XSUAA credentials and VCAP_APPLICATION', () => {
    const xsuaa = {
      clientid: 'sb-x',
      clientsecret: 's',
      url: 'https://a.auth',
      uaadomain: 'auth',
      xsappname: 'x!t1',
    };
    const config = buildConfig('local', {
      env: {
        VCAP_SERVICES: JSON.stringify({ xsuaa: [{ label: 'xsuaa', credentials: xsuaa }] }),
        VCAP_APPLICATION: JSON.stringify({ application_name: 'promregator-scraper', instance_index: 1 }),
      },
    });
    expect(config.xsuaa.credentials?.xsappname).toBe('x!t1');
    expect(config.cfApp).toEqual({ name: 'promregator-scraper', instanceIndex: 1 });
  });
});

describe('invalid configuration', () => {
  it('lists every problem in one error', () => {
    const problems = problemsOf(() =>
      buildConfig('scraper', {
        env: { PORT: 'eighty', LOG_LEVEL: 'loud', SCRAPE_CONNECT_TO: 'nohostport', CF_USERNAME: 'u' },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('port'),
        expect.stringContaining('LOG_LEVEL'),
        expect.stringContaining('SCRAPE_CONNECT_TO'),
        expect.stringContaining('DATABASE_URL'),
        expect.stringContaining('CREDENTIALS_KEY'),
        expect.stringContaining('CF_API_URL'),
        expect.stringContaining('CF_PASSWORD'),
      ]),
    );
  });

  it('requires broker credentials outside local mode', () => {
    const problems = problemsOf(() =>
      buildConfig('broker', { env: { ...deployedBroker, BROKER_PASSWORD: '' } }),
    );
    expect(problems).toEqual(['BROKER_PASSWORD: required']);
    expect(buildConfig('broker', { env: deployedBroker }).broker.username).toBe('broker');
  });

  it('reports a YAML file without the promregator key, and never echoes a database URL', () => {
    const problems = problemsOf(() =>
      buildConfig('local', {
        env: { PROMREGATOR_CONFIG: 'p.yml', DATABASE_URL: 'mysql://user:topsecret@h/db' },
        readFile: () => 'port: 1\n',
      }),
    );
    expect(problems.join('\n')).toContain('promregator:');
    expect(problems.join('\n')).not.toContain('topsecret');
  });
});

describe('outbound policy settings', () => {
  it('defaults to https and public addresses only, any host; local mode allows private addresses', () => {
    expect(buildConfig('broker', { env: deployedBroker }).outbound).toEqual({
      allowPrivate: false,
      tokenHosts: [],
    });
    expect(buildConfig('local', { env: {} }).outbound.allowPrivate).toBe(true);
    expect(buildConfig('local', { env: { OUTBOUND_ALLOW_PRIVATE: 'false' } }).outbound.allowPrivate).toBe(
      false,
    );
  });

  it('reads the allow-list from the environment (comma-separated) or YAML (a list), normalized', () => {
    const env = {
      ...deployedBroker,
      OAUTH2_TOKEN_HOSTS: ' *.authentication.*.hana.ondemand.com, UAA.sys.example.com. ,',
      OUTBOUND_ALLOW_PRIVATE: 'true',
    };
    expect(buildConfig('broker', { env }).outbound).toEqual({
      allowPrivate: true,
      tokenHosts: ['*.authentication.*.hana.ondemand.com', 'uaa.sys.example.com'],
    });
    const yaml = 'promregator:\n  outbound:\n    tokenHosts: [uaa.sys.example.com]\n';
    const fromFile = buildConfig('broker', {
      env: { ...deployedBroker, PROMREGATOR_CONFIG: 'p.yml' },
      readFile: () => yaml,
    });
    expect(fromFile.outbound.tokenHosts).toEqual(['uaa.sys.example.com']);
  });

  it('refuses patterns that are not host names and a non-boolean allowance', () => {
    const problems = problemsOf(() =>
      buildConfig('broker', {
        env: {
          ...deployedBroker,
          OAUTH2_TOKEN_HOSTS: 'uaa.example.com,https://uaa.example.com,*.ex*.com',
          OUTBOUND_ALLOW_PRIVATE: 'yes',
        },
      }),
    );
    expect(problems).toEqual([
      'outbound.allowPrivate: expected true or false, got "yes"',
      'OAUTH2_TOKEN_HOSTS (outbound.tokenHosts): "https://uaa.example.com" is not a host name (labels of letters, digits, "-", or "*" for one label)',
      'OAUTH2_TOKEN_HOSTS (outbound.tokenHosts): "*.ex*.com" is not a host name (labels of letters, digits, "-", or "*" for one label)',
    ]);
  });
});

describe('dashboard SSO client', () => {
  it('has no client and no secret by default', () => {
    const config = buildConfig('broker', { env: deployedBroker });
    expect(config.dashboard).toEqual({ permissionTtlMs: 60_000, sessionTtlMs: 900_000 });
  });

  it('reads DASHBOARD_CLIENT_ID and DASHBOARD_CLIENT_SECRET, and treats empty values as unset', () => {
    const set = buildConfig('broker', {
      env: { ...deployedBroker, DASHBOARD_CLIENT_ID: 'dash', DASHBOARD_CLIENT_SECRET: 's3cret' },
    });
    expect(set.dashboard).toMatchObject({ clientId: 'dash', clientSecret: 's3cret' });
    // manifest.yml passes empty vars when the operator configured none.
    const empty = buildConfig('broker', {
      env: { ...deployedBroker, DASHBOARD_CLIENT_ID: '', DASHBOARD_CLIENT_SECRET: '' },
    });
    expect(empty.dashboard.clientId).toBeUndefined();
  });

  it('wants both or neither, and a public URL for the scraper', () => {
    expect(
      problemsOf(() => buildConfig('broker', { env: { ...deployedBroker, DASHBOARD_CLIENT_ID: 'dash' } })),
    ).toEqual(['DASHBOARD_CLIENT_ID and DASHBOARD_CLIENT_SECRET: set both or neither']);
    const scraper = {
      DATABASE_URL: deployedBroker.DATABASE_URL,
      CREDENTIALS_KEY: deployedBroker.CREDENTIALS_KEY,
      CF_API_URL: 'https://api.example.com',
      CF_CLIENT_ID: 'c',
      CF_CLIENT_SECRET: 's',
      DASHBOARD_CLIENT_ID: 'dash',
      DASHBOARD_CLIENT_SECRET: 's3cret',
    };
    expect(problemsOf(() => buildConfig('scraper', { env: scraper }))).toEqual([
      expect.stringMatching(/^SCRAPER_PUBLIC_URL: required with DASHBOARD_CLIENT_ID/),
    ]);
  });
});
