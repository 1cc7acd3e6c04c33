import { esc, page } from './html.ts';

/** The dashboard's answer when there is no page to show: login problems, 403, the CC or UAA down. */
export interface Message {
  status: number;
  title: string;
  text: string;
  /** A link to offer (e.g. back to the dashboard to log in again). */
  link?: { href: string; label: string };
}

export function renderMessage(message: Message): string {
  const link = message.link
    ? `<p><a href="${esc(message.link.href)}">${esc(message.link.label)}</a></p>`
    : '';
  return page(
    { title: `Promregator dashboard — ${message.title}` },
    `<div class="card" role="alert"><h2>${esc(message.title)}</h2><p>${esc(message.text)}</p>${link}</div>`,
  );
}
