// The events catalog as a graph: apps -> the events they produce -> the rules that consume them,
// laid out by dagre as the generated catalog.html draws it (@serverlesspresso/catalog/graph); each
// event links to its section of the catalog.
import { useMemo } from 'preact/hooks';
import { layoutCatalogGraph, type CatalogGraph } from '@serverlesspresso/catalog/graph';
import { Problem, useLoad } from '../ui.js';

interface CatalogFile {
  graph: CatalogGraph;
  events: Array<{ detailType: string; anchor: string }>;
  rules: Array<{ app: string; rule: string; events: Array<{ detailType: string; anchor: string }> }>;
}

export const CATALOG_HTML = 'catalog.html';

let loaded: Promise<CatalogFile> | undefined;
/** The catalog's data, read once per page load. */
export const catalogFile = (): Promise<CatalogFile> =>
  (loaded ??= fetch('catalog.json').then((r) => {
    if (!r.ok) throw new Error(`The events catalog is not available (HTTP ${r.status}).`);
    return r.json() as Promise<CatalogFile>;
  }));

/** The catalog's section of a detail-type (a family's member, OrderManager.OrderNYC-COMPLETED, too). */
export function catalogAnchor(events: CatalogFile['events'], detailType: string): string | undefined {
  for (const e of events) {
    const pattern = new RegExp(
      `^${e.detailType.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[A-Za-z]+\}/g, '[^-]+')}$`,
    );
    if (pattern.test(detailType)) return e.anchor;
  }
  return undefined;
}

export function CatalogPage() {
  const [file, error] = useLoad(catalogFile, []);
  const layout = useMemo(() => (file ? layoutCatalogGraph(file.graph) : undefined), [file]);
  return (
    <>
      <h1>Events catalog</h1>
      <p>
        Apps, the events they produce and the rules that consume them, from the repo's templates.{' '}
        <a href={CATALOG_HTML}>The whole catalog</a> has each event's producers, consumers, example and schema.
      </p>
      <Problem text={error} />
      {layout && (
        <figure class="graph">
          <svg
            width={layout.width}
            height={layout.height}
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            // A group, not an image: its events are links.
            role="group"
            aria-label={`${layout.nodes.length} apps, events and rules`}
          >
            <defs>
              <marker id="carrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                <path d="M0,0 L10,5 L0,10 z" fill="#555" />
              </marker>
            </defs>
            {layout.edges.map((e) => (
              <polyline
                points={e.points.map((p) => `${p.x},${p.y}`).join(' ')}
                fill="none"
                stroke="#777"
                marker-end="url(#carrow)"
              />
            ))}
            {layout.nodes.map((n) => {
              const box = (
                <g class={`cnode cnode-${n.kind}`} data-node={n.id}>
                  <rect
                    x={n.x - n.width / 2}
                    y={n.y - n.height / 2}
                    width={n.width}
                    height={n.height}
                    rx={n.kind === 'event' ? 12 : 3}
                  />
                  <text x={n.x} y={n.y + 4} text-anchor="middle">
                    {n.label}
                  </text>
                </g>
              );
              return n.anchor ? <a href={`${CATALOG_HTML}#${n.anchor}`}>{box}</a> : box;
            })}
          </svg>
        </figure>
      )}
    </>
  );
}
