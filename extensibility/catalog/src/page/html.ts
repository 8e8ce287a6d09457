// The catalog as one static HTML page (catalog.html): no scripts, no external assets, every value escaped.
import { consumerName, consumerTerms } from './model.js';
import { catalogGraphSvg } from './graph.js';
import type { CatalogPage, PageChannel, PageConsumer, PageEvent, PageProducer } from './model.js';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const code = (s: string) => `<code>${escapeHtml(s)}</code>`;
const json = (v: unknown) => `<pre><code>${escapeHtml(JSON.stringify(v, null, 2))}</code></pre>`;

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;background:#faf8f5}
header{background:#3b2416;color:#fff;padding:1.2rem 2rem}header h1{margin:0 0 .3rem}header p{margin:0;opacity:.85}header code{background:#5a3a28;color:#fff}
main{max-width:70rem;margin:0 auto;padding:1rem 2rem 3rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #ddd;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#efe9e2}section{background:#fff;border:1px solid #e3dcd3;border-radius:6px;padding:.2rem 1.2rem 1rem;margin:1.2rem 0}
code{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f3efe9;padding:0 .2rem;border-radius:3px}
pre{background:#f3efe9;padding:.8rem;overflow:auto;border-radius:4px}pre code{padding:0;background:none}
.graph{overflow:auto;background:#fff;border:1px solid #e3dcd3}.none{color:#888}.pattern{display:block;margin:.2rem 0 0 1rem;color:#555}summary{cursor:pointer;margin-top:.4rem}`;

function producerItem(p: PageProducer): string {
  const what =
    p.kind === 'function'
      ? `function ${code(p.resource)}`
      : `state machine ${code(p.resource)}, state ${code(p.state ?? '')}`;
  return `<li><strong>${escapeHtml(p.app)}</strong>: ${what}${p.writes ? ` (puts ${code(p.writes)})` : ''} in ${code(p.path)}</li>`;
}

function consumerItem(c: PageConsumer): string {
  const targets = c.targets.map(code).join(', ') || 'no target';
  const terms = consumerTerms(c);
  // The terms are Markdown: `code` spans become <code>.
  const termsHtml = escapeHtml(terms).replace(/`([^`]*)`/g, '<code>$1</code>');
  return `<li><strong>${escapeHtml(c.app)}</strong>: rule ${code(c.rule)} &rarr; ${targets} in ${code(c.path)}${c.disabled ? ' (disabled)' : ''}${terms ? `<span class="pattern">${termsHtml}</span>` : ''}<span class="pattern">pattern ${code(c.pattern)}</span></li>`;
}

const items = (list: string[], none: string) =>
  list.length ? `<ul>${list.join('')}</ul>` : `<p class="none">${none}</p>`;
const names = (list: string[]) =>
  list.length ? escapeHtml([...new Set(list)].join(', ')) : '<span class="none">-</span>';

function section(e: PageEvent): string {
  const { entry } = e;
  return [
    `<section id="${escapeHtml(e.anchor)}">`,
    `<h2>${code(entry.detailType)}</h2>`,
    `<p>${escapeHtml(entry.schema.description)}</p>`,
    entry.embeds
      ? `<p>A family: the detail-type embeds ${code(`detail.${entry.embeds}`)}, e.g. ${code(entry.example['detail-type'])}.</p>`
      : '',
    `<p><strong>Owner</strong>: ${code(entry.owner)} (only its roles may put it: IAM's ${code('events:detail-type')} condition)${entry.alsoPutBy
      .map((a) => `; also put by ${code(a.app)}: ${escapeHtml(a.why)}`)
      .join('')}.</p>`,
    '<h3>Produced by</h3>',
    items(e.producers.map(producerItem), 'no app of this repo (yet)'),
    '<h3>Consumed by</h3>',
    items(e.consumers.map(consumerItem), 'no rule of this repo (yet)'),
    `<details><summary>Example</summary>${json(entry.example)}</details>`,
    `<details><summary>Schema (${code(`extensibility/catalog/schemas/${entry.name}.json`)})</summary>${json(entry.schema)}</details>`,
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function channelSection(c: PageChannel): string {
  const { entry } = c;
  return [
    `<section id="${escapeHtml(c.anchor)}">`,
    `<h2>channel ${code(entry.channel)}</h2>`,
    `<p>${escapeHtml(entry.schema.description)}</p>`,
    `<p>Messages: ${c.kinds.map(code).join(', ')} (the field <code>kind</code>).</p>`,
    `<details><summary>Examples</summary>${json(entry.examples)}</details>`,
    `<details><summary>Schema (${code(`extensibility/catalog/channels/${entry.namespace}.json`)})</summary>${json(entry.schema)}</details>`,
    '</section>',
  ].join('\n');
}

function channelsPart(page: CatalogPage): string[] {
  if (page.channels.length === 0) return [];
  const rows = page.channels.map(
    (c) =>
      `<tr><td><a href="#${escapeHtml(c.anchor)}">${code(c.entry.channel)}</a></td><td>${c.kinds.map(code).join(', ')}</td></tr>`,
  );
  return [
    '<h2>Realtime channels</h2>',
    "<p>Browsers subscribe to the core's AppSync Events API (WebSocket, a token of the core's user pool); the core's publisher turns the events above into these messages, and extensions may publish to the board. The namespace's <code>onSubscribe</code> handler decides who may subscribe (<code>core/template.yaml</code>).</p>",
    `<table><thead><tr><th>channel</th><th>messages</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`,
    ...page.channels.map(channelSection),
  ];
}

export function renderHtml(page: CatalogPage): string {
  const rows = page.events.map(
    (e) =>
      `<tr><td><a href="#${escapeHtml(e.anchor)}">${code(e.entry.detailType)}</a></td><td>${names(e.producers.map((p) => `${p.app}: ${p.resource}`))}</td><td>${names(e.consumers.map(consumerName))}</td></tr>`,
  );
  const listed = (xs: string[]) => (xs.length ? xs.map(code).join(', ') : '<span class="none">none</span>');
  const extensions = page.extensions.length
    ? [
        '<h2>Extensions</h2>',
        '<p>The model and every extension, as their <code>extension.json</code> says (checked against their templates by <code>presso check</code>):</p>',
        `<table><thead><tr><th>extension</th><th>what it does</th><th>consumes</th><th>produces</th><th>AWS services</th><th>author</th></tr></thead><tbody>\n${page.extensions
          .map(({ name, dir, meta }) =>
            meta
              ? `<tr><td>${escapeHtml(meta.name)} (${code(dir)})</td><td>${escapeHtml(meta.description)}</td><td>${listed(meta.events.consumed)}</td><td>${listed(meta.events.produced)}</td><td>${escapeHtml(meta.services.join(', '))}</td><td>${escapeHtml(meta.author)}</td></tr>`
              : `<tr><td>${escapeHtml(name)} (${code(dir)})</td><td colspan="5" class="none">no valid extension.json</td></tr>`,
          )
          .join('\n')}\n</tbody></table>`,
      ].join('\n')
    : '';
  const replays = page.replays.length
    ? `<p><strong>Replayers</strong> put whatever detail-type their input carries, so any event below may come from them:</p><ul>${page.replays.map((r) => `<li><strong>${escapeHtml(r.app)}</strong>: state machine ${code(r.resource)}, state ${code(r.state)} in ${code(r.path)}</li>`).join('')}</ul>`
    : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<!-- Generated by `npx presso catalog` from extensibility/catalog/schemas and the apps' templates. Do not edit: a test fails when it is stale. -->",
    '<title>Serverlesspresso events catalog</title>',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1>Serverlesspresso events catalog</h1><p>Every event travels on the EventBridge bus ${code(page.bus)} with source ${code(page.source)}.</p></header>`,
    '<main>',
    '<p>Per event: who produces it (functions declare it in <code>Metadata.Emits</code>, state machines in their <code>events:putEvents</code> tasks), which rules consume it (every rule on the bus whose pattern matches every event its schema accepts; a <em>conditional consumer</em> matches only some, and its condition is shown), an example and the schema.</p>',
    `<p>Read from: ${page.apps.map((a) => `${code(a.path)} (${escapeHtml(a.name)})`).join(', ') || 'no app template yet'}.</p>`,
    `<table><thead><tr><th>detail-type</th><th>produced by</th><th>consumed by</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`,
    `<h2>Apps, events and rules</h2><div class="graph">${catalogGraphSvg(page)}</div>`,
    replays,
    extensions,
    ...page.events.map(section),
    ...channelsPart(page),
    '</main>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}
