// The state machine's graph (dagre's layout, graph.ts) as SVG, each state coloured by its status.
import { useMemo } from 'preact/hooks';
import { layout, type StateStatus } from '../graph.js';

export function GraphView({ definition, statuses }: { definition: string; statuses?: Map<string, StateStatus> }) {
  const graph = useMemo(() => {
    try {
      return layout(JSON.parse(definition) as object);
    } catch {
      return undefined;
    }
  }, [definition]);
  if (!graph) return <p class="problem">The definition is not JSON, so it cannot be drawn.</p>;
  const described = graph.nodes
    .filter((n) => statuses?.has(n.id) && n.kind !== 'start' && n.kind !== 'end')
    .map((n) => `${n.label}: ${statuses!.get(n.id)}`)
    .join('; ');
  return (
    <figure class="graph">
      <svg
        width={graph.width}
        height={graph.height}
        viewBox={`0 0 ${graph.width} ${graph.height}`}
        role="img"
        aria-label={`The state machine's graph. ${described || 'No state has run.'}`}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" fill="#555" />
          </marker>
        </defs>
        {graph.edges.map((e) => (
          <g class="edge">
            <polyline
              points={e.points.map((p) => `${p.x},${p.y}`).join(' ')}
              fill="none"
              stroke="#777"
              marker-end="url(#arrow)"
            />
          </g>
        ))}
        {graph.nodes.map((n) => {
          const status = statuses?.get(n.id) ?? 'not-started';
          return (
            <g class={`node node-${status} kind-${n.kind.toLowerCase()}`} data-state={n.id} data-status={status}>
              <rect
                x={n.x - n.width / 2}
                y={n.y - n.height / 2}
                width={n.width}
                height={n.height}
                rx={n.kind === 'start' || n.kind === 'end' ? 14 : 4}
              />
              <text x={n.x} y={n.y + 4} text-anchor="middle">
                {n.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="legend node-running">running</span> <span class="legend node-succeeded">succeeded</span>{' '}
        <span class="legend node-failed">failed</span> <span class="legend node-timed-out">timed out</span>{' '}
        <span class="legend node-caught">caught</span> <span class="legend node-aborted">stopped</span>
      </figcaption>
    </figure>
  );
}
