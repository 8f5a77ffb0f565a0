export interface IndexEntry {
  readonly title: string;
  /** The path under the base path, e.g. "/varz". */
  readonly path: string;
  /** The full URL path, base path included. */
  readonly url: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The HTML page served at the base path: a link to each registered endpoint. */
export function renderIndexPage(entries: readonly IndexEntry[]): string {
  // Links are "." + full path, as nats-server writes them, so they resolve under any base path.
  const links = entries
    .map((e) => `    <li><a href="${escapeHtml(`.${e.url}`)}">${escapeHtml(e.title)}</a> <code>${escapeHtml(e.path)}</code></li>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>nats-ts monitoring</title>
  </head>
  <body>
    <h1>nats-ts monitoring</h1>
    <ul>
${links}
    </ul>
  </body>
</html>
`;
}
