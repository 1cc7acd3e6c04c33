import { esc, page } from './html.ts';
import type { AppModel, InstanceModel, InstanceRow } from './instance-view.ts';

/**
 * The instance's page: one card per bound app with a row per app instance. Built by string joins over
 * the model; rendering a 200-instance page costs well under a millisecond per instance
 * (bench/dashboard.bench.ts).
 */
export function renderInstancePage(
  model: InstanceModel,
  options: { refreshSeconds: number; userName: string },
): string {
  const i = model.instance;
  const out: string[] = [];
  const where = [i.orgName ?? i.orgGuid, i.spaceName ?? i.spaceGuid].map(esc).join(' / ');
  out.push(
    `<div class="card"><p><strong>${esc(i.name ?? i.id)}</strong> <span class="muted">in ${where}</span></p>`,
    `<div class="totals"><span>${model.totals.apps} bound app${model.totals.apps === 1 ? '' : 's'}</span>`,
    `<span>${model.totals.instances} instance${model.totals.instances === 1 ? '' : 's'}</span>`,
    `<span><span class="badge up">${model.totals.up} up</span></span>`,
    `<span><span class="badge down">${model.totals.down} down</span></span>`,
    `<span><span class="badge unknown">${model.totals.neverScraped} not scraped yet</span></span></div>`,
    `<p class="muted">Updated ${esc(shortTime(model.generatedAt))}; reloads every ${options.refreshSeconds} s. `,
    'Scrape results are those of the latest scrapes by Prometheus through this scraper.</p></div>',
  );
  if (model.apps.length === 0) out.push('<p>No app is bound to this service instance.</p>');
  for (const app of model.apps) renderApp(out, app);
  out.push('<h2>Service keys</h2>');
  if (model.serviceKeys.length === 0) {
    out.push('<p class="muted">No service key.</p>');
  } else {
    out.push(
      '<div class="card scroll"><table><thead><tr><th>Name</th><th>GUID</th><th>Username</th><th>Created</th></tr></thead><tbody>',
    );
    for (const k of model.serviceKeys) {
      out.push(
        `<tr><td>${k.name === null ? '<span class="muted">unknown</span>' : esc(k.name)}</td><td><code>${esc(k.id)}</code></td><td><code>${esc(k.username)}</code></td><td>${esc(shortTime(k.createdAt))}</td></tr>`,
      );
    }
    out.push(
      '</tbody></table><p class="muted">Passwords are never shown: <code>cf service-key</code> has them.</p></div>',
    );
  }
  const logout = `<form method="post" action="/dashboard/logout"><span class="muted" style="color:#dfe7ef">${esc(options.userName)}</span> <button type="submit">Sign out</button></form>`;
  return page(
    { title: 'Promregator dashboard', refreshSeconds: options.refreshSeconds, headerExtra: logout },
    out.join(''),
  );
}

function renderApp(out: string[], app: AppModel): void {
  const route =
    app.route === null
      ? '<span class="muted">no route</span>'
      : `<code>${esc(`${app.scheme}://${app.route}${app.path}`)}</code>`;
  out.push(
    `<h2>${esc(app.appName ?? app.appGuid)}</h2><div class="card"><p>${route}<br>`,
    `<span class="muted">app <code>${esc(app.appGuid)}</code> · ${esc(app.state ?? 'state unknown')} · discovery: ${esc(app.status)} · `,
    `${app.desiredInstances} instance${app.desiredInstances === 1 ? '' : 's'}</span></p>`,
  );
  if (app.instances.length === 0) {
    out.push('<p class="muted">Not scraped: ', esc(statusText(app.status)), '</p></div>');
    return;
  }
  out.push(
    '<div class="scroll"><table><thead><tr><th>#</th><th>State</th><th>Reason / detail</th><th>Last scrape</th>',
    '<th>Duration / deadline</th><th>Samples</th><th>Families</th><th>Type conflicts</th><th>Last scrapes</th></tr></thead><tbody>',
  );
  for (const row of app.instances) renderRow(out, row);
  out.push('</tbody></table></div></div>');
}

function renderRow(out: string[], row: InstanceRow): void {
  const badge =
    row.up === null
      ? '<span class="badge unknown">not scraped</span>'
      : row.up
        ? '<span class="badge up">up</span>'
        : '<span class="badge down">down</span>';
  const reason = row.reason === null ? '' : `<code>${esc(row.reason)}</code>`;
  const detail = row.detail === null ? '' : `<br><code>${esc(row.detail)}</code>`;
  const duration = row.durationMs === null ? '' : `${row.durationMs} ms / ${row.deadlineMs ?? '?'} ms`;
  out.push(
    `<tr><td>${row.index}</td><td>${badge}</td><td class="why">${reason}${detail}</td><td>${esc(shortTime(row.lastScrapeAt))}</td>`,
    `<td>${duration}</td><td>${row.samples ?? ''}</td><td>${row.families ?? ''}</td><td>${row.conflicts ?? ''}</td><td><div class="tl">`,
  );
  for (const t of row.timeline) {
    const label = `${t.at} ${t.up ? 'up' : `down ${t.reason ?? ''}`} ${t.durationMs} ms`;
    out.push(`<span class="${t.up ? 'up' : 'down'}" title="${esc(label)}"></span>`);
  }
  const ups = row.timeline.filter((t) => t.up).length;
  out.push(`<span class="sr">${ups} of ${row.timeline.length} recent scrapes up</span></div></td></tr>`);
}

function statusText(status: AppModel['status']): string {
  switch (status) {
    case 'app-stopped':
      return 'the app is stopped.';
    case 'no-route':
      return 'the app has no usable HTTP route.';
    case 'route-not-matched':
      return "no route of the app matches the binding's route parameter.";
    case 'app-not-found':
      return 'the Cloud Controller does not know the app.';
    case 'not-discovered':
      return 'not discovered yet.';
    default:
      return 'no instance is running.';
  }
}

/** `2026-12-01 21:56:35 UTC` from an ISO time: what a person reads; the JSON keeps ISO. */
function shortTime(iso: string | null): string {
  return iso === null ? '' : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
