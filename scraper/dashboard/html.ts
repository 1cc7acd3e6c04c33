/**
 * HTML building blocks of the dashboard. Everything shown may be tenant data (app names, routes, failure
 * details, label text in parse errors), so every interpolated value goes through `esc`.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const SPECIAL = /[&<>"']/;
const SPECIAL_ALL = /[&<>"']/g;

export function esc(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : text;
}

/**
 * Inline only: air-gapped foundations have no CDN. Colours meet WCAG AA (4.5:1 and more) on their
 * backgrounds; the layout is one column on a phone, tables scroll sideways inside their box.
 */
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#f6f7f9}
header{background:#17324d;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
header h1{font-size:1.15rem;margin:0}
header form{margin:0}
main{max-width:72rem;margin:0 auto;padding:1rem}
h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
.muted{color:#4a5563}
.card{background:#fff;border:1px solid #d4d9e0;border-radius:6px;padding:.75rem;margin:.75rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e7ec;vertical-align:top}
th{background:#eef1f5;font-weight:600}
code{font:.85rem ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
.badge{display:inline-block;padding:0 .45rem;border-radius:3px;font-weight:600;font-size:.8rem;color:#fff}
.up{background:#1d6b34}.down{background:#a3161b}.unknown{background:#5b6472}
td.why{min-width:12rem}
.tl{display:flex;gap:2px;flex-wrap:wrap;min-width:6rem;position:relative}
.tl span{width:9px;height:14px;border-radius:2px;display:inline-block}
.totals{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem}
button{font:inherit;padding:.3rem .8rem;border-radius:4px;border:1px solid #fff;background:#17324d;color:#fff;cursor:pointer}
a{color:#0b5394}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:40rem){main{padding:.5rem}th,td{padding:.3rem}}
`;

export interface PageOptions {
  title: string;
  /** Seconds until the page reloads itself; none for message pages. */
  refreshSeconds?: number;
  /** Extra header content (already HTML). */
  headerExtra?: string;
}

export function page(options: PageOptions, body: string): string {
  const refresh =
    options.refreshSeconds === undefined
      ? ''
      : `<meta http-equiv="refresh" content="${options.refreshSeconds}">`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">${refresh}
<title>${esc(options.title)}</title><style>${CSS}</style></head>
<body><header><h1>${esc(options.title)}</h1>${options.headerExtra ?? ''}</header><main>${body}</main></body></html>`;
}

/** Nothing loads from elsewhere, no script runs: a tampered value can at worst be ugly. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
