import { generate } from 'selfsigned';

export interface RouterCertificate {
  key: string;
  cert: string;
}

/** One self-signed certificate for `*.<appsDomain>`, the domain itself, localhost and 127.0.0.1. */
export async function generateRouterCertificate(appsDomain: string): Promise<RouterCertificate> {
  const pems = await generate([{ name: 'commonName', value: `*.${appsDomain}` }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + 30 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: `*.${appsDomain}` },
          { type: 2, value: appsDomain },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
