import { type CfError, cfErrors } from './errors.ts';

// CC v3 list-query rules: unknown parameters are refused, filters are comma-separated, per_page is 1..5000.

export interface ListQuery {
  page: number;
  perPage: number;
  orderBy: string;
  include: Set<string>;
  /** Filter name → accepted values; absent when the filter was not given. */
  filters: Map<string, Set<string>>;
  /** Every parameter but page/per_page, in request order: repeated in pagination links. */
  carried: Array<[string, string]>;
}

export interface ListRules {
  filters: string[];
  includes?: string[];
  orderBy?: string[];
}

const COMMON = ['page', 'per_page', 'order_by', 'include', 'label_selector'];

export function parseListQuery(search: URLSearchParams, rules: ListRules): ListQuery | CfError {
  const allowed = new Set([...COMMON, ...rules.filters]);
  if (!rules.includes) allowed.delete('include');
  const unknown = [...new Set([...search.keys()].filter((k) => !allowed.has(k)))];
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
  const carried = [...search.entries()].filter(([k]) => k !== 'page' && k !== 'per_page');
  return { page, perPage, orderBy, include, filters, carried };
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
