import { type CfError, cfErrors } from './errors.ts';

// CC v3 list-query rules: unknown parameters are refused, filters are comma-separated, per_page is 1..5000.

export interface ListQuery {
  page: number;
  perPage: number;
  orderBy: string;
  include: Set<string>;
  /** Filter name → accepted values; absent when the filter was not given. */
  filters: Map<string, Set<string>>;
  /** Timestamp filters (`created_ats[gt]=…`) by field; every bound must hold. */
  times: Map<string, TimeBound[]>;
  /** Every parameter but page/per_page, in request order: repeated in pagination links. */
  carried: Array<[string, string]>;
}

export interface TimeBound {
  op: 'eq' | 'gt' | 'gte' | 'lt' | 'lte';
  /** Epoch seconds; `eq` accepts a comma-separated list. */
  seconds: number[];
}

export interface ListRules {
  filters: string[];
  includes?: string[];
  orderBy?: string[];
  /** Timestamp fields filterable with `[gt]`, `[gte]`, `[lt]`, `[lte]` or plain equality. */
  timestamps?: string[];
}

const TIME_KEY = /^(\w+)(?:\[(gt|gte|lt|lte)\])?$/;
// CC takes RFC 3339 at second precision, UTC.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const COMMON = ['page', 'per_page', 'order_by', 'include', 'label_selector'];

export function parseListQuery(search: URLSearchParams, rules: ListRules): ListQuery | CfError {
  const allowed = new Set([...COMMON, ...rules.filters]);
  if (!rules.includes) allowed.delete('include');
  const timeFields = new Set(rules.timestamps ?? []);
  const isTimeKey = (k: string) => timeFields.has(TIME_KEY.exec(k)?.[1] ?? '');
  const unknown = [...new Set([...search.keys()].filter((k) => !allowed.has(k) && !isTimeKey(k)))];
  if (unknown.length > 0) {
    return cfErrors.badQueryParameter(
      `Unknown query parameter(s): ${unknown.map((k) => `'${k}'`).join(', ')}. Valid parameters are: ${[
        ...allowed,
      ]
        .map((k) => `'${k}'`)
        .join(', ')}`,
    );
  }
  const page = intParam(search.get('page'), 1);
  if (page === null || page < 1) return cfErrors.badQueryParameter('Page must be greater than 0');
  const perPage = intParam(search.get('per_page'), 50);
  if (perPage === null || perPage < 1 || perPage > 5000) {
    return cfErrors.badQueryParameter('Per page must be between 1 and 5000');
  }
  const orderValues = rules.orderBy ?? ['created_at', 'updated_at'];
  const orderBy = search.get('order_by') ?? 'created_at';
  if (![...orderValues, ...orderValues.map((o) => `-${o}`), `+created_at`].includes(orderBy)) {
    return cfErrors.badQueryParameter(`Order by can only be: ${orderValues.map((o) => `'${o}'`).join(', ')}`);
  }
  const include = new Set<string>();
  const includeParam = search.get('include');
  if (includeParam !== null) {
    for (const inc of includeParam.split(',')) {
      if (!rules.includes?.includes(inc)) {
        return cfErrors.badQueryParameter(
          `Invalid included resource: '${inc}'. Valid included resources are: ${(rules.includes ?? [])
            .map((i) => `'${i}'`)
            .join(', ')}`,
        );
      }
      include.add(inc);
    }
  }
  const filters = new Map<string, Set<string>>();
  for (const f of rules.filters) {
    const v = search.get(f);
    if (v !== null) filters.set(f, new Set(v.split(',')));
  }
  const times = new Map<string, TimeBound[]>();
  for (const [key, value] of search.entries()) {
    if (!isTimeKey(key)) continue;
    const m = TIME_KEY.exec(key)!;
    const op = (m[2] ?? 'eq') as TimeBound['op'];
    const values = op === 'eq' ? value.split(',') : [value];
    if (!values.every((v) => TIMESTAMP.test(v))) {
      return cfErrors.badQueryParameter(
        `${key} has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'`,
      );
    }
    const bounds = times.get(m[1]!) ?? [];
    bounds.push({ op, seconds: values.map((v) => Date.parse(v) / 1000) });
    times.set(m[1]!, bounds);
  }
  const carried = [...search.entries()].filter(([k]) => k !== 'page' && k !== 'per_page');
  return { page, perPage, orderBy, include, filters, times, carried };
}

/** True when every timestamp bound on `field` holds for the record's (second-precision) timestamp. */
export function matchesTime(q: ListQuery, field: string, timestamp: string): boolean {
  const bounds = q.times.get(field);
  if (!bounds) return true;
  const t = Date.parse(timestamp) / 1000;
  return bounds.every(({ op, seconds }) => {
    const [s = Number.NaN] = seconds;
    if (op === 'eq') return seconds.includes(t);
    if (op === 'gt') return t > s;
    if (op === 'gte') return t >= s;
    if (op === 'lt') return t < s;
    return t <= s;
  });
}

function intParam(value: string | null, fallback: number): number | null {
  if (value === null) return fallback;
  if (!/^\d+$/.test(value)) return null;
  return Number(value);
}

/** True when the filter is absent or contains the value. */
export function matches(q: ListQuery, filter: string, value: string): boolean {
  const set = q.filters.get(filter);
  return set === undefined || set.has(value);
}
