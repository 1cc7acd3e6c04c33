import type { ExpositionFormat } from './negotiate.ts';

// A benchmark-sized exposition shaped like a Spring Boot/Micrometer app: HTTP histograms with
// method,status,uri,outcome,le labels, lines of ~100–150 bytes. Generated once per instance and cached.

export interface PayloadSpec {
  appName: string;
  appGuid: string;
  index: number;
  /** Stop once the body reaches this size... */
  bytes: number;
  /** ...or once about this many series were written (whole histograms only). */
  seriesCount?: number | undefined;
}

const FAMILIES = [
  ['http_server_requests_seconds', 'Duration of HTTP server request handling'],
  ['http_client_requests_seconds', 'Timer of outbound HTTP client requests'],
  ['spring_data_repository_invocations_seconds', 'Duration of repository invocations'],
  ['tasks_scheduled_execution_seconds', 'Duration of scheduled task executions'],
] as const;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const STATUSES: Array<[string, string]> = [
  ['200', 'SUCCESS'],
  ['201', 'SUCCESS'],
  ['400', 'CLIENT_ERROR'],
  ['404', 'CLIENT_ERROR'],
  ['500', 'SERVER_ERROR'],
];
const RESOURCES = [
  'customers',
  'orders',
  'invoices',
  'shipments',
  'products',
  'payments',
  'accounts',
  'tickets',
];
const BUCKETS = [
  '0.001',
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.1',
  '0.25',
  '0.5',
  '1.0',
  '2.5',
  '5.0',
  '10.0',
  '+Inf',
];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatePayload(spec: PayloadSpec, format: ExpositionFormat): string {
  const rand = prng(spec.index * 7919 + spec.appGuid.charCodeAt(0));
  const parts: string[] = [
    '# HELP sandbox_instance_index CF instance index of this instance.\n',
    '# TYPE sandbox_instance_index gauge\n',
    `sandbox_instance_index ${spec.index}\n`,
    '# HELP sandbox_app_info Identity of the app serving these metrics.\n',
    '# TYPE sandbox_app_info gauge\n',
    `sandbox_app_info{app_name="${spec.appName}",app_guid="${spec.appGuid}",instance_index="${spec.index}"} 1\n`,
  ];
  let size = parts.reduce((n, p) => n + p.length, 0);
  let series = 2;
  const done = () => size >= spec.bytes || (spec.seriesCount !== undefined && series >= spec.seriesCount);
  for (let round = 0; !done(); round++) {
    for (const [baseName, help] of FAMILIES) {
      if (done()) break;
      const name = round === 0 ? baseName : `${baseName.replace(/_seconds$/, '')}_${round}_seconds`;
      const header = `# HELP ${name} ${help}\n# TYPE ${name} histogram\n`;
      parts.push(header);
      size += header.length;
      outer: for (const resource of RESOURCES) {
        for (const method of METHODS) {
          for (const [status, outcome] of STATUSES) {
            if (done()) break outer;
            const uri = `/api/v1/${resource}/{${resource.slice(0, -1)}Id}`;
            const labels = `method="${method}",status="${status}",uri="${uri}",outcome="${outcome}"`;
            let cumulative = 0;
            let sum = 0;
            for (const le of BUCKETS) {
              const add = Math.floor(rand() * 400);
              cumulative += add;
              sum += add * (le === '+Inf' ? 20 : Number(le) * 0.7);
              const line = `${name}_bucket{${labels},le="${le}"} ${cumulative}\n`;
              parts.push(line);
              size += line.length;
            }
            const tail = `${name}_count{${labels}} ${cumulative}\n${name}_sum{${labels}} ${sum.toFixed(6)}\n`;
            parts.push(tail);
            size += tail.length;
            series += BUCKETS.length + 2;
          }
        }
      }
    }
  }
  if (format === 'openmetrics') parts.push('# EOF\n');
  return parts.join('');
}
