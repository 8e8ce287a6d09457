// A state machine drawn as a graph: its states and transitions from the ASL definition, laid out by
// dagre, each state coloured by what the execution's history says of it. Pure: no DOM.
import dagre from '@dagrejs/dagre';
import type { HistoryEvent } from './api.js';

export type StateStatus = 'not-started' | 'running' | 'succeeded' | 'failed' | 'caught' | 'timed-out' | 'aborted';

export interface GraphNode {
  id: string;
  label: string;
  /** The state's Type, or 'start'/'end'. */
  kind: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  points: Array<{ x: number; y: number }>;
}
export interface Layout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface AslState {
  Type?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<{ Next?: string }>;
  Catch?: Array<{ Next?: string; ErrorEquals?: string[] }>;
}

export const START = '__start';
export const END = '__end';

/** The transitions of a definition's top-level states (Parallel and Map branches stay inside their state). */
export function transitions(definition: {
  StartAt?: string;
  States?: Record<string, AslState>;
}): Array<{ from: string; to: string; label?: string }> {
  const edges: Array<{ from: string; to: string; label?: string }> = [];
  if (definition.StartAt) edges.push({ from: START, to: definition.StartAt });
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    if (state.Next) edges.push({ from: name, to: state.Next });
    if (state.Default) edges.push({ from: name, to: state.Default, label: 'Default' });
    for (const choice of state.Choices ?? []) if (choice.Next) edges.push({ from: name, to: choice.Next });
    for (const c of state.Catch ?? [])
      if (c.Next) edges.push({ from: name, to: c.Next, label: `Catch ${(c.ErrorEquals ?? []).join(', ')}` });
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') edges.push({ from: name, to: END });
  }
  // A choice and a catch may go to the same state: one arrow, the labels joined.
  const byPair = new Map<string, { from: string; to: string; label?: string }>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    const seen = byPair.get(key);
    if (!seen) byPair.set(key, { ...e });
    else if (e.label) seen.label = seen.label ? `${seen.label}; ${e.label}` : e.label;
  }
  return [...byPair.values()];
}

const CHAR_PX = 7.2;

/** Lays out a definition with dagre (top to bottom). */
export function layout(definition: { StartAt?: string; States?: Record<string, AslState> }): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 40, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const kinds = new Map<string, string>([
    [START, 'start'],
    [END, 'end'],
  ]);
  g.setNode(START, { label: 'Start', width: 60, height: 28 });
  g.setNode(END, { label: 'End', width: 60, height: 28 });
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    kinds.set(name, state.Type ?? 'Task');
    g.setNode(name, { label: name, width: Math.max(90, Math.min(260, name.length * CHAR_PX + 24)), height: 36 });
  }
  for (const e of transitions(definition))
    if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to, e.label ? { label: e.label } : {});
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: g.nodes().map((id) => {
      const n = g.node(id);
      return {
        id,
        label: String(n.label ?? id),
        kind: kinds.get(id) ?? 'Task',
        x: n.x,
        y: n.y,
        width: n.width,
        height: n.height,
      };
    }),
    edges: g.edges().map((e) => {
      const edge = g.edge(e) as { points: Array<{ x: number; y: number }>; label?: string };
      return { from: e.v, to: e.w, ...(edge.label ? { label: edge.label } : {}), points: edge.points };
    }),
  };
}

/** A state's own failures (the execution's end is told by its status). */
const FAILED_TYPES = new Set([
  'TaskFailed',
  'LambdaFunctionFailed',
  'TaskTimedOut',
  'LambdaFunctionTimedOut',
  'ActivityTimedOut',
  'ActivityFailed',
]);

/**
 * Each state's status from an execution's history (oldest first) and the execution's status: entered
 * and not left is running, or where it failed, timed out or was stopped once the execution ended so;
 * a state left by a Catch is 'caught', or 'timed-out' when what it caught was its timeout.
 */
export function statuses(history: HistoryEvent[], executionStatus: string): Map<string, StateStatus> {
  const result = new Map<string, StateStatus>();
  let current: string | undefined;
  let failedHere: StateStatus | undefined;
  for (const event of history) {
    if (event.stateEnteredEventDetails) {
      current = event.stateEnteredEventDetails.name;
      failedHere = undefined;
      result.set(current, 'running');
    } else if (event.stateExitedEventDetails) {
      const name = event.stateExitedEventDetails.name;
      // Left through a Catch: where it timed out stays 'timed-out' (the place to look), else 'caught'.
      result.set(name, failedHere === 'timed-out' ? 'timed-out' : failedHere ? 'caught' : 'succeeded');
      if (current === name) current = undefined;
    } else if (FAILED_TYPES.has(event.type)) {
      failedHere = event.type.endsWith('TimedOut') ? 'timed-out' : 'failed';
    } else if (event.type === 'ExecutionTimedOut' && current) {
      failedHere = 'timed-out';
    }
  }
  if (current && executionStatus !== 'RUNNING') {
    const ended: Record<string, StateStatus> = {
      FAILED: 'failed',
      TIMED_OUT: 'timed-out',
      ABORTED: 'aborted',
      SUCCEEDED: 'succeeded',
    };
    result.set(current, failedHere ?? ended[executionStatus] ?? 'failed');
  }
  if (executionStatus === 'SUCCEEDED') result.set(END, 'succeeded');
  if (history.length) result.set(START, 'succeeded');
  return result;
}

/** The task token a running execution waits on: the newest `.waitForTaskToken` task scheduled and not ended. */
export function waitingToken(history: HistoryEvent[]): string | undefined {
  let token: string | undefined;
  for (const event of history) {
    const scheduled = event.taskScheduledEventDetails;
    if (scheduled?.resource.endsWith('.waitForTaskToken') || scheduled?.resource.endsWith('waitForTaskToken')) {
      token = findToken(scheduled.parameters);
    } else if (/^Task(Succeeded|Failed|TimedOut)$/.test(event.type)) token = undefined;
  }
  return token;
}

function findToken(parameters: string): string | undefined {
  let found: string | undefined;
  const walk = (value: unknown): void => {
    if (found || value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && /^task_?token$/i.test(key)) found = v;
      else walk(v);
    }
  };
  try {
    walk(JSON.parse(parameters));
  } catch {
    return undefined;
  }
  return found;
}
