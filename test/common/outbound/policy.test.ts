import { describe, expect, it } from 'vitest';
import { createOutboundPolicy, isOutboundRefusal } from '../../../common/outbound/policy.ts';
import { fakeDns, PUBLIC_V4, PUBLIC_V6 } from '../../support/fake-dns.ts';

const dns = fakeDns({
  'uaa.example.com': [PUBLIC_V4, PUBLIC_V6],
  'tenant.authentication.eu10.hana.ondemand.com': [PUBLIC_V4],
  'rebind.example.com': ['127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'mixed.example.com': [PUBLIC_V4, '10.1.2.3'],
  'ula.example.com': [PUBLIC_V6, 'fd00::1'],
  'mapped.example.com': ['::ffff:192.168.1.1'],
  localhost: ['127.0.0.1', '::1'],
}).resolve;
const policy = createOutboundPolicy({ allowPrivate: false, allowedHosts: [], resolve: dns });

// Every refused range, in the spellings a URL parser accepts for it.
const refusedLiterals: Array<[url: string, reason: RegExp]> = [
  ['https://127.0.0.1/oauth/token', /^127\.0\.0\.1 is a loopback address$/],
  ['https://2130706433/', /127\.0\.0\.1 is a loopback address/],
  ['https://0x7f000001/', /127\.0\.0\.1 is a loopback address/],
  ['https://0x7f.0.0.1/', /127\.0\.0\.1 is a loopback address/],
  ['https://0177.0.0.1/', /127\.0\.0\.1 is a loopback address/],
  ['https://127.1/', /127\.0\.0\.1 is a loopback address/],
  ['https://127.0.1/', /127\.0\.0\.1 is a loopback address/],
  ['https://%31%32%37.0.0.1/', /127\.0\.0\.1 is a loopback address/],
  ['https://127.255.255.254:8443/', /loopback/],
  ['https://[::1]/', /^::1 is a loopback address$/],
  ['https://[0:0:0:0:0:0:0:1]/', /::1 is a loopback address/],
  ['https://[::ffff:127.0.0.1]/', /^::ffff:7f00:1 leads to 127\.0\.0\.1, a loopback address$/],
  ['https://[::ffff:7f00:1]/', /leads to 127\.0\.0\.1, a loopback address/],
  ['https://[::127.0.0.1]/', /leads to 127\.0\.0\.1, a loopback address/],
  ['https://[64:ff9b::10.0.0.1]/', /leads to 10\.0\.0\.1, a private address/],
  ['https://[2002:a9fe:a9fe::]/', /leads to 169\.254\.169\.254, a link-local address/],
  ['https://0.0.0.0/', /0\.0\.0\.0 is an unspecified address/],
  ['https://0/', /0\.0\.0\.0 is an unspecified address/],
  ['https://[::]/', /^:: is an unspecified address$/],
  ['https://0.1.2.3/', /reserved/],
  ['https://10.0.0.1/', /10\.0\.0\.1 is a private address/],
  ['https://012.0.0.1/', /10\.0\.0\.1 is a private address/],
  ['https://172.16.0.1/', /private/],
  ['https://172.31.255.255/', /private/],
  ['https://192.168.0.1/', /private/],
  ['https://0xc0a80001/', /192\.168\.0\.1 is a private address/],
  ['https://100.64.0.1/', /shared \(CGNAT\)/],
  ['https://100.127.255.255/', /shared \(CGNAT\)/],
  ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a link-local address/],
  ['https://2852039166/', /169\.254\.169\.254 is a link-local address/],
  ['https://[fe80::1]/', /link-local/],
  ['https://[fc00::1]/', /unique-local/],
  ['https://[fd12:3456::1]/', /unique-local/],
  ['https://[fec0::1]/', /site-local/],
  ['https://224.0.0.1/', /multicast/],
  ['https://239.255.255.250/', /multicast/],
  ['https://[ff02::1]/', /multicast/],
  ['https://255.255.255.255/', /broadcast/],
  ['https://240.0.0.1/', /reserved/],
  ['https://192.0.0.8/', /reserved/],
  ['https://192.0.2.1/', /documentation/],
  ['https://198.51.100.1/', /documentation/],
  ['https://203.0.113.1/', /documentation/],
  ['https://198.18.0.1/', /benchmarking/],
  ['https://[2001:db8::1]/', /documentation/],
  ['https://[2001::1]/', /reserved/], // Teredo
  ['https://[100::1]/', /reserved/],
  ['https://[4000::1]/', /reserved/], // outside global unicast
];

describe('outbound policy: URLs checked without the network', () => {
  it.each(refusedLiterals)('%s is refused', (url, reason) => {
    const verdict = policy.checkUrl(url);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it.each([
    ['http://uaa.example.com/oauth/token', /^must use https$/],
    ['ftp://uaa.example.com/token', /^must use https$/],
    ['not a url', /^must be an https URL$/],
    ['https://user:pass@uaa.example.com/oauth/token', /must not carry credentials/],
    ['https://localhost/', /^localhost is a loopback name$/],
    ['https://LOCALHOST./', /^localhost is a loopback name$/],
    ['https://auth.localhost/', /loopback name/],
  ])('%s is refused', (url, reason) => {
    const verdict = policy.checkUrl(url);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it.each([
    'https://uaa.example.com/oauth/token',
    'https://93.184.215.14/oauth/token',
    'https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/oauth/token',
    'https://[::ffff:93.184.215.14]/',
    'https://[64:ff9b::93.184.215.14]/',
    'https://100.128.0.1/',
    'https://172.32.0.1/',
  ])('%s is accepted', (url) => {
    expect(policy.checkUrl(url)).toEqual({ ok: true });
  });

  it('OUTBOUND_ALLOW_PRIVATE admits plain http and private addresses, not credentials in the URL', () => {
    const open = createOutboundPolicy({ allowPrivate: true, allowedHosts: [], resolve: dns });
    expect(open.checkUrl('http://127.0.0.1:8080/oauth/token')).toEqual({ ok: true });
    expect(open.checkUrl('https://[::1]/')).toEqual({ ok: true });
    expect(open.checkUrl('https://localhost/')).toEqual({ ok: true });
    expect(open.checkUrl('ftp://localhost/').ok).toBe(false);
    expect(open.checkUrl('http://u:p@127.0.0.1/').ok).toBe(false);
  });
});

describe('outbound policy: allow-list of token hosts', () => {
  const listed = createOutboundPolicy({
    allowPrivate: false,
    allowedHosts: ['*.authentication.*.hana.ondemand.com', 'UAA.sys.example.com.'],
    resolve: dns,
  });

  it.each([
    'https://tenant.authentication.eu10.hana.ondemand.com/oauth/token',
    'https://x.authentication.us20.hana.ondemand.com./oauth/token',
    'https://uaa.sys.example.com/oauth/token',
    'https://UAA.SYS.EXAMPLE.COM/oauth/token',
  ])('%s matches', (url) => {
    expect(listed.checkUrl(url)).toEqual({ ok: true });
  });

  it.each([
    'https://uaa.example.com/oauth/token',
    // `*` is one label, never several, never none
    'https://a.b.authentication.eu10.hana.ondemand.com/',
    'https://authentication.eu10.hana.ondemand.com/',
    'https://tenant.authentication.eu10.hana.ondemand.com.evil.com/',
    'https://sys.example.com/',
    'https://x.uaa.sys.example.com/',
  ])('%s is refused', (url) => {
    const verdict = listed.checkUrl(url);
    expect(verdict.ok ? '' : verdict.reason).toMatch(
      /is not a host the operator allows \(\*\.authentication/,
    );
  });

  it('an allowed host must still not be private', () => {
    const own = createOutboundPolicy({ allowPrivate: false, allowedHosts: ['10.0.0.1'], resolve: dns });
    expect(own.checkUrl('https://10.0.0.1/').ok).toBe(false);
  });

  it('a pattern that is not a host name stops the policy from being built', () => {
    expect(() => createOutboundPolicy({ allowPrivate: false, allowedHosts: ['uaa.*.com/x'] })).toThrow(
      /not a host name/,
    );
  });

  it('matching stays linear for hostile input', () => {
    const many = createOutboundPolicy({ allowPrivate: false, allowedHosts: ['*.*.*.*.*.*.*.*.example.com'] });
    const host = `${'a.'.repeat(120)}example.com`;
    expect(many.checkUrl(`https://${host}/`).ok).toBe(false);
  });
});

describe('outbound policy: names are judged by what they resolve to', () => {
  it.each([
    ['https://rebind.example.com/', /^rebind\.example\.com resolves to 127\.0\.0\.1, a loopback address$/],
    ['https://metadata.example.com/', /resolves to 169\.254\.169\.254, a link-local address/],
    ['https://mixed.example.com/', /resolves to 10\.1\.2\.3, a private address/],
    ['https://ula.example.com/', /resolves to fd00::1, a unique-local address/],
    [
      'https://mapped.example.com/',
      /resolves to ::ffff:192\.168\.1\.1, which leads to 192\.168\.1\.1, a private address/,
    ],
    ['https://unknown.example.com/', /^unknown\.example\.com does not resolve \(ENOTFOUND\)$/],
  ])('%s is refused', async (url, reason) => {
    const verdict = await policy.checkUrlResolved(url);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it('a public name is accepted; a URL refused before resolution is not resolved at all', async () => {
    const counted = fakeDns({ 'uaa.example.com': [PUBLIC_V4] });
    const counting = createOutboundPolicy({
      allowPrivate: false,
      allowedHosts: [],
      resolve: counted.resolve,
    });
    expect(await counting.checkUrlResolved('https://uaa.example.com/oauth/token')).toEqual({ ok: true });
    expect((await counting.checkUrlResolved('http://uaa.example.com/')).ok).toBe(false);
    expect((await counting.checkUrlResolved('https://localhost/')).ok).toBe(false);
    expect(await counting.checkUrlResolved('https://93.184.215.14/')).toEqual({ ok: true });
    expect(counted.asked).toEqual(['uaa.example.com']);
  });

  it('a resolver that does not answer in time refuses the name', async () => {
    const slow = createOutboundPolicy({
      allowPrivate: false,
      allowedHosts: [],
      resolveTimeoutMs: 20,
      resolve: () => new Promise(() => {}),
    });
    const verdict = await slow.checkUrlResolved('https://slow.example.com/');
    expect(verdict.ok ? '' : verdict.reason).toBe('slow.example.com did not resolve within 20 ms');
  });

  it('the connect-time lookup hands out only accepted answers, in the form net.connect asks for', async () => {
    const lookup = (host: string, options: { all?: boolean; family?: number }) =>
      new Promise<unknown>((resolve, reject) =>
        policy.lookup(host, options, (error, address, family) =>
          error ? reject(error) : resolve(options.all ? address : [address, family]),
        ),
      );
    expect(await lookup('uaa.example.com', { all: true })).toEqual([
      { address: PUBLIC_V4, family: 4 },
      { address: PUBLIC_V6, family: 6 },
    ]);
    expect(await lookup('uaa.example.com', { family: 6 })).toEqual([PUBLIC_V6, 6]);
    const refused = await lookup('rebind.example.com', { all: true }).catch((e: unknown) => e);
    expect(isOutboundRefusal(refused)).toBe(true);
    const missing = await lookup('unknown.example.com', {}).catch((e: unknown) => e);
    expect(isOutboundRefusal(missing)).toBe(false);
    expect((missing as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});
