// The execution graph's logic: transitions of a definition, dagre's layout of them, each state's
// status from a history, and the task token a running execution waits on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { HistoryEvent } from '../app/api.js';
import { END, layout, START, statuses, transitions, waitingToken } from '../app/graph.js';

const player = JSON.parse(
  readFileSync(new URL('../../EventPlayer/statemachine/player.asl.json', import.meta.url), 'utf8'),
) as { StartAt: string; States: Record<string, object> };

let id = 0;
const event = (type: string, details: Partial<HistoryEvent> = {}): HistoryEvent => ({
  id: ++id,
  type,
  timestamp: 0,
  ...details,
});
const entered = (name: string) => event('TaskStateEntered', { stateEnteredEventDetails: { name } });
const exited = (name: string) => event('TaskStateExited', { stateExitedEventDetails: { name } });

describe('transitions and layout', () => {
  it("draws the EventPlayer's states, its choice, its catches and its end", () => {
    const edges = transitions(player);
    expect(edges).toContainEqual({ from: START, to: 'Start replay' });
    expect(edges).toContainEqual({ from: 'Anything left?', to: 'Wait for the moment', label: 'Default' });
    expect(edges).toContainEqual({ from: 'Replay finished', to: END });
    // Next and both catches go to "Next moment": one arrow, the catches' labels on it.
    const back = edges.filter((e) => e.from === 'Put events' && e.to === 'Next moment');
    expect(back).toHaveLength(1);
    expect(back[0]!.label).toBe('Catch EventBridge.FailedEntry; Catch States.ALL');

    const graph = layout(player);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([...Object.keys(player.States), START, END].sort());
    const y = (name: string) => graph.nodes.find((n) => n.id === name)!.y;
    // Top to bottom: the start above the first state, the first state above the loop.
    expect(y(START)).toBeLessThan(y('Start replay'));
    expect(y('Start replay')).toBeLessThan(y('Next moment'));
    expect(graph.edges.every((e) => e.points.length >= 2)).toBe(true);
    expect(graph.width).toBeGreaterThan(0);
  });
});

describe('statuses', () => {
  it('marks states left as succeeded and the one entered as running while the execution runs', () => {
    const history = [event('ExecutionStarted'), entered('A'), exited('A'), entered('B')];
    const s = statuses(history, 'RUNNING');
    expect(s.get('A')).toBe('succeeded');
    expect(s.get('B')).toBe('running');
    expect(s.get(END)).toBeUndefined();
  });

  it('shows where a task timed out', () => {
    const history = [
      event('ExecutionStarted'),
      entered('Wait'),
      event('TaskScheduled'),
      event('TaskTimedOut'),
      event('ExecutionFailed'),
    ];
    expect(statuses(history, 'FAILED').get('Wait')).toBe('timed-out');
  });

  it('shows where a caught timeout happened (the order workflow goes on to cancel the order)', () => {
    const history = [
      entered('Wait for the drink order'),
      event('TaskTimedOut'),
      exited('Wait for the drink order'),
      entered('Emit OrderTimeOut'),
    ];
    expect(statuses(history, 'SUCCEEDED').get('Wait for the drink order')).toBe('timed-out');
  });

  it('marks a state left through a Catch as caught, and a stopped one as aborted', () => {
    const caught = [entered('A'), event('TaskFailed'), exited('A'), entered('B')];
    expect(statuses(caught, 'ABORTED')).toEqual(
      new Map([
        ['A', 'caught'],
        ['B', 'aborted'],
        [START, 'succeeded'],
      ]),
    );
  });
});

describe('waitingToken', () => {
  const scheduled = (parameters: object) =>
    event('TaskScheduled', {
      taskScheduledEventDetails: {
        resource: 'putEvents.waitForTaskToken',
        resourceType: 'events',
        parameters: JSON.stringify(parameters),
      },
    });

  it("finds the token in a waiting task's parameters, and none once the task ended", () => {
    const history = [entered('Wait'), scheduled({ Entries: [{ Detail: { TaskToken: 'tok-1' } }] })];
    expect(waitingToken(history)).toBe('tok-1');
    expect(waitingToken([...history, event('TaskSucceeded')])).toBeUndefined();
  });
});
