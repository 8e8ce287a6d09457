// The catalog as a picture, as EventCatalog users expect one: apps, the events they produce and the
// rules that consume them, left to right, laid out by dagre (the local console draws the same
// graph) and written as a static SVG (catalog.html reads without a server or a script).
import dagre from '@dagrejs/dagre';
import type { CatalogPage } from './model.js';

export type CatalogNodeKind = 'app' | 'event' | 'rule';

export interface CatalogGraph {
  nodes: Array<{ id: string; kind: CatalogNodeKind; label: string; anchor?: string }>;
  edges: Array<{ from: string; to: string }>;
}

/** Producer apps -> events -> consuming rules (each rule named with its app); events nobody produces or consumes are left out. */
export function catalogGraph(page: CatalogPage): CatalogGraph {
  const nodes = new Map<string, CatalogGraph['nodes'][number]>();
  const edges = new Map<string, { from: string; to: string }>();
  const edge = (from: string, to: string) => edges.set(`${from}\u0000${to}`, { from, to });
  for (const e of page.events) {
    if (e.producers.length === 0 && e.consumers.length === 0) continue;
    const event = `event:${e.entry.detailType}`;
    nodes.set(event, { id: event, kind: 'event', label: e.entry.detailType, anchor: e.anchor });
    for (const p of e.producers) {
      const app = `app:${p.app}`;
      nodes.set(app, { id: app, kind: 'app', label: p.app });
      edge(app, event);
    }
    for (const c of e.consumers) {
      const rule = `rule:${c.app}:${c.rule}`;
      nodes.set(rule, { id: rule, kind: 'rule', label: `${c.app}: ${c.rule}` });
      edge(event, rule);
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

export interface CatalogLayout {
  width: number;
  height: number;
  nodes: Array<CatalogGraph['nodes'][number] & { x: number; y: number; width: number; height: number }>;
  edges: Array<{ from: string; to: string; points: Array<{ x: number; y: number }> }>;
}

const CHAR_PX = 6.6;

/** dagre's layout of the graph, left to right. */
export function layoutCatalogGraph(graph: CatalogGraph): CatalogLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 8, ranksep: 60, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: Math.ceil(n.label.length * CHAR_PX) + 20, height: 24 });
  for (const e of graph.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return {
    width: Math.ceil(g.graph().width ?? 0),
    height: Math.ceil(g.graph().height ?? 0),
    nodes: g.nodes().map((id) => {
      const { x, y, width, height } = g.node(id);
      return { ...byId.get(id)!, x, y, width, height };
    }),
    edges: g.edges().map((e) => ({ from: e.v, to: e.w, points: g.edge(e).points })),
  };
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const round = (n: number) => Math.round(n * 10) / 10;
const FILL: Record<CatalogNodeKind, string> = { app: '#e3d3c3', event: '#fff', rule: '#d9e7f5' };

/** The graph as one SVG element: each event links to its section of the page. */
export function catalogGraphSvg(page: CatalogPage): string {
  const layout = layoutCatalogGraph(catalogGraph(page));
  const lines = layout.edges.map(
    (e) =>
      `<polyline points="${e.points.map((p) => `${round(p.x)},${round(p.y)}`).join(' ')}" fill="none" stroke="#8a7a6a" marker-end="url(#catalog-arrow)"/>`,
  );
  const boxes = layout.nodes.map((n) => {
    const box = `<rect x="${round(n.x - n.width / 2)}" y="${round(n.y - n.height / 2)}" width="${round(n.width)}" height="${round(n.height)}" rx="${n.kind === 'event' ? 12 : 3}" fill="${FILL[n.kind]}" stroke="#6b5443"/><text x="${round(n.x)}" y="${round(n.y + 4)}" text-anchor="middle" font-size="11" font-family="ui-monospace,Menlo,Consolas,monospace">${escapeXml(n.label)}</text>`;
    return n.anchor ? `<a href="#${escapeXml(n.anchor)}">${box}</a>` : `<g>${box}</g>`;
  });
  const apps = layout.nodes.filter((n) => n.kind === 'app').length;
  const events = layout.nodes.filter((n) => n.kind === 'event').length;
  const rules = layout.nodes.filter((n) => n.kind === 'rule').length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="catalog-graph" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="group" aria-label="${apps} apps, the ${events} events they produce and the ${rules} rules that consume them">`,
    '<defs><marker id="catalog-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#8a7a6a"/></marker></defs>',
    ...lines,
    ...boxes,
    '</svg>',
  ].join('\n');
}
