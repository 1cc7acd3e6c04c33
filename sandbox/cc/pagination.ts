import type { ListQuery } from './query.ts';

export interface Pagination {
  total_results: number;
  total_pages: number;
  first: { href: string };
  last: { href: string };
  next: { href: string } | null;
  previous: { href: string } | null;
}

export interface Page<T> {
  pagination: Pagination;
  resources: T[];
}

/** Slices one page and builds absolute links that repeat every filter, as CC does. */
export function paginate<T>(items: T[], q: ListQuery, baseUrl: string, path: string): Page<T> {
  const total = items.length;
  const lastPage = Math.max(1, Math.ceil(total / q.perPage));
  const href = (page: number) => {
    const params = new URLSearchParams();
    params.set('page', String(page));
    params.set('per_page', String(q.perPage));
    for (const [k, v] of q.carried) params.append(k, v);
    return { href: `${baseUrl}${path}?${params.toString()}` };
  };
  const start = (q.page - 1) * q.perPage;
  return {
    pagination: {
      total_results: total,
      total_pages: lastPage,
      first: href(1),
      last: href(lastPage),
      next: q.page < lastPage ? href(q.page + 1) : null,
      previous: q.page > 1 ? href(Math.min(q.page - 1, lastPage)) : null,
    },
    resources: items.slice(start, start + q.perPage),
  };
}

export function sortByOrder<T extends { createdAt: string; name?: string }>(
  items: T[],
  orderBy: string,
): T[] {
  const desc = orderBy.startsWith('-');
  const key = orderBy.replace(/^[-+]/, '');
  if (key === 'name') {
    const sorted = [...items].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
    return desc ? sorted.reverse() : sorted;
  }
  // Records are kept in creation order already; updated_at ordering is approximated by it.
  return desc ? [...items].reverse() : items;
}
