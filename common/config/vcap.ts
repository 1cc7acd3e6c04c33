import { isPlainObject, type Layer } from './layers.ts';

interface VcapService {
  name?: unknown;
  label?: unknown;
  tags?: unknown;
  credentials?: unknown;
}

function servicesOf(vcapServices: unknown): VcapService[] {
  if (!isPlainObject(vcapServices)) return [];
  return Object.values(vcapServices).flatMap((list) =>
    Array.isArray(list) ? list.filter(isPlainObject) : [],
  );
}

const POSTGRES = /postgres/i;

/** Providers label and tag Postgres differently (`postgresql-db` on SAP BTP, `postgres` tags elsewhere). */
function isPostgres(service: VcapService): boolean {
  const tags = Array.isArray(service.tags) ? service.tags : [];
  return (
    (typeof service.label === 'string' && POSTGRES.test(service.label)) ||
    tags.some((tag) => typeof tag === 'string' && POSTGRES.test(tag))
  );
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function postgresLayer(credentials: Layer, problems: string[]): Layer | undefined {
  let url = str(credentials.uri) ?? str(credentials.url);
  if (url === undefined) {
    const host = str(credentials.hostname) ?? str(credentials.host);
    const db = str(credentials.dbname) ?? str(credentials.database) ?? str(credentials.name);
    const user = str(credentials.username) ?? str(credentials.user);
    if (!host || !db || !user) {
      problems.push('VCAP_SERVICES: the Postgres binding has neither "uri" nor hostname/dbname/username');
      return undefined;
    }
    const port = str(credentials.port) ?? '5432';
    const password = str(credentials.password) ?? '';
    url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(db)}`;
  }
  const database: Layer = { url };
  const ca = str(credentials.sslrootcert);
  const cert = str(credentials.sslcert);
  const key = str(credentials.sslkey);
  if (ca || cert || key) {
    database.ssl = {
      rejectUnauthorized: true,
      ...(ca && { ca }),
      ...(cert && { cert }),
      ...(key && { key }),
    };
  }
  return database;
}

/** Settings Cloud Foundry provides through VCAP_SERVICES and VCAP_APPLICATION (the highest layer). */
export function vcapLayer(env: Readonly<Record<string, string | undefined>>, problems: string[]): Layer {
  const layer: Layer = {};
  const parse = (name: string): unknown => {
    const text = env[name];
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      problems.push(`${name}: not valid JSON`);
      return undefined;
    }
  };

  const services = servicesOf(parse('VCAP_SERVICES'));
  // An explicit DATABASE_URL is the operator's choice; only fall back to the bound service without it.
  const postgres = services.find(isPostgres);
  if (postgres && !env.DATABASE_URL) {
    const database = isPlainObject(postgres.credentials)
      ? postgresLayer(postgres.credentials, problems)
      : undefined;
    if (database) layer.database = database;
  }
  const xsuaa = services.find((service) => service.label === 'xsuaa');
  if (xsuaa && isPlainObject(xsuaa.credentials)) layer.xsuaa = { credentials: xsuaa.credentials };

  const application = parse('VCAP_APPLICATION');
  if (isPlainObject(application)) {
    const name = str(application.application_name) ?? str(application.name);
    const index = Number(env.CF_INSTANCE_INDEX ?? application.instance_index ?? 0);
    if (name) layer.cfApp = { name, instanceIndex: Number.isInteger(index) ? index : 0 };
  }
  return layer;
}
