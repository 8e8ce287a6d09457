// Execution history as the SFN API returns it (GetExecutionHistory): events with id,
// previousEventId, timestamp, type and one *EventDetails field; inputs and outputs are JSON text.
// Events of Parallel branches and Map iterations interleave in one list, each chaining its
// previousEventId within its own branch (a "thread").
import type { JsonValue } from './types.js';

export type HistoryEventType =
  | 'ActivityFailed'
  | 'ActivityScheduleFailed'
  | 'ActivityScheduled'
  | 'ActivityStarted'
  | 'ActivitySucceeded'
  | 'ActivityTimedOut'
  | 'ChoiceStateEntered'
  | 'ChoiceStateExited'
  | 'EvaluationFailed'
  | 'ExecutionAborted'
  | 'ExecutionFailed'
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionTimedOut'
  | 'FailStateEntered'
  | 'LambdaFunctionFailed'
  | 'LambdaFunctionScheduleFailed'
  | 'LambdaFunctionScheduled'
  | 'LambdaFunctionStartFailed'
  | 'LambdaFunctionStarted'
  | 'LambdaFunctionSucceeded'
  | 'LambdaFunctionTimedOut'
  | 'MapIterationAborted'
  | 'MapIterationFailed'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapStateAborted'
  | 'MapStateEntered'
  | 'MapStateExited'
  | 'MapStateFailed'
  | 'MapStateStarted'
  | 'MapStateSucceeded'
  | 'ParallelStateAborted'
  | 'ParallelStateEntered'
  | 'ParallelStateExited'
  | 'ParallelStateFailed'
  | 'ParallelStateStarted'
  | 'ParallelStateSucceeded'
  | 'PassStateEntered'
  | 'PassStateExited'
  | 'SucceedStateEntered'
  | 'SucceedStateExited'
  | 'TaskFailed'
  | 'TaskScheduled'
  | 'TaskStartFailed'
  | 'TaskStarted'
  | 'TaskStateAborted'
  | 'TaskStateEntered'
  | 'TaskStateExited'
  | 'TaskSubmitFailed'
  | 'TaskSubmitted'
  | 'TaskSucceeded'
  | 'TaskTimedOut'
  | 'WaitStateAborted'
  | 'WaitStateEntered'
  | 'WaitStateExited';

export interface DataDetails {
  truncated: boolean;
}

export interface ErrorDetails {
  error?: string;
  cause?: string;
}

export interface TaskResourceDetails {
  resourceType: string;
  resource: string;
}

export interface MapIterationEventDetails {
  name: string;
  index: number;
}

export interface HistoryEventDetails {
  executionStartedEventDetails?: {
    input?: string;
    inputDetails?: DataDetails;
    roleArn?: string;
    stateMachineAliasArn?: string;
    stateMachineVersionArn?: string;
  };
  executionSucceededEventDetails?: { output?: string; outputDetails?: DataDetails };
  executionFailedEventDetails?: ErrorDetails;
  executionAbortedEventDetails?: ErrorDetails;
  executionTimedOutEventDetails?: ErrorDetails;
  stateEnteredEventDetails?: { name: string; input?: string; inputDetails?: DataDetails };
  stateExitedEventDetails?: {
    name: string;
    output?: string;
    outputDetails?: DataDetails;
    assignedVariables?: Record<string, string>;
    assignedVariablesDetails?: DataDetails;
  };
  taskScheduledEventDetails?: TaskResourceDetails & {
    region: string;
    parameters: string;
    timeoutInSeconds?: number;
    heartbeatInSeconds?: number;
  };
  taskStartedEventDetails?: TaskResourceDetails;
  taskSubmittedEventDetails?: TaskResourceDetails & { output?: string; outputDetails?: DataDetails };
  taskSucceededEventDetails?: TaskResourceDetails & { output?: string; outputDetails?: DataDetails };
  taskFailedEventDetails?: TaskResourceDetails & ErrorDetails;
  taskTimedOutEventDetails?: TaskResourceDetails & ErrorDetails;
  lambdaFunctionScheduledEventDetails?: {
    resource: string;
    input?: string;
    inputDetails?: DataDetails;
    timeoutInSeconds?: number;
  };
  lambdaFunctionSucceededEventDetails?: { output?: string; outputDetails?: DataDetails };
  lambdaFunctionFailedEventDetails?: ErrorDetails;
  lambdaFunctionTimedOutEventDetails?: ErrorDetails;
  mapStateStartedEventDetails?: { length: number };
  mapIterationStartedEventDetails?: MapIterationEventDetails;
  mapIterationSucceededEventDetails?: MapIterationEventDetails;
  mapIterationFailedEventDetails?: MapIterationEventDetails;
  mapIterationAbortedEventDetails?: MapIterationEventDetails;
  evaluationFailedEventDetails?: ErrorDetails & { location?: string; state: string };
}

export interface HistoryEvent extends HistoryEventDetails {
  timestamp: Date;
  type: HistoryEventType;
  id: number;
  previousEventId: number;
}

/** A chain of events within one branch of the execution (the top level, a branch, an iteration). */
export interface HistoryThread {
  lastEventId: number;
}

export type HistoryEventListener = (event: HistoryEvent) => void;

/** How a recorder resumes an execution after a restart: what it recorded before, and its markers. */
export interface HistoryReplay {
  /** Replay the existing events: the interpreter runs again and meets them instead of recording them anew. */
  replay?: boolean;
  /** Values the execution recorded beside its history (task tokens, heartbeats), by key. */
  markers?: Record<string, JsonValue>;
  /** Told of every marker set (the journal writes it). */
  onMarker?: (key: string, value: JsonValue) => void;
}

export class HistoryRecorder {
  readonly events: HistoryEvent[];
  /** Events recorded before a restart that the resumed run has not reached again, by previousEventId. */
  private readonly pending = new Map<number, HistoryEvent[]>();
  private pendingCount = 0;
  /** Events up to this id were recorded before a restart. */
  private readonly horizon: number;
  /** The time of the event the last add() met again, when it met one (else undefined). */
  private replayed: number | undefined;
  private readonly markers: Map<string, JsonValue>;
  private readonly onMarker: ((key: string, value: JsonValue) => void) | undefined;

  constructor(
    private readonly now: () => number,
    private readonly listener?: HistoryEventListener,
    existing: HistoryEvent[] = [],
    replay: HistoryReplay = {},
  ) {
    this.events = existing;
    this.horizon = replay.replay ? existing.length : 0;
    this.markers = new Map(Object.entries(replay.markers ?? {}));
    this.onMarker = replay.onMarker;
    if (replay.replay) {
      for (const event of existing) {
        if (event.type === 'ExecutionStarted') continue;
        const queue = this.pending.get(event.previousEventId);
        if (queue) queue.push(event);
        else this.pending.set(event.previousEventId, [event]);
        this.pendingCount++;
      }
    }
  }

  private closed = false;

  /** After close() (the execution ended), late events of aborted branches are dropped. */
  close(): void {
    this.closed = true;
  }

  add(thread: HistoryThread | undefined, type: HistoryEventType, details: HistoryEventDetails = {}): number {
    if (this.closed) return this.events.length;
    if (this.pendingCount > 0 && thread) {
      // A resumed execution meets again what it recorded before the restart: the same event of
      // the same thread (a Parallel's branches and a Map's iterations start from one event, told
      // apart by state name and iteration index, and met in the order they were first recorded).
      const met = this.meet(thread.lastEventId, type, details);
      if (met) {
        thread.lastEventId = met.id;
        this.replayed = met.timestamp.getTime();
        return met.id;
      }
    }
    this.replayed = undefined;
    const id = this.events.length + 1;
    const event: HistoryEvent = {
      timestamp: new Date(this.now()),
      type,
      id,
      previousEventId: thread ? thread.lastEventId : 0,
      ...details,
    };
    this.events.push(event);
    if (thread) thread.lastEventId = id;
    this.listener?.(event);
    return id;
  }

  private meet(previous: number, type: HistoryEventType, details: HistoryEventDetails): HistoryEvent | undefined {
    const queue = this.pending.get(previous);
    if (!queue) return undefined;
    const index = queue.findIndex((e) => e.type === type && sameSubject(e, details));
    if (index < 0) return undefined;
    const [event] = queue.splice(index, 1);
    if (queue.length === 0) this.pending.delete(previous);
    this.pendingCount--;
    return event;
  }

  /** The next event `thread` recorded before a restart and has not met again yet. */
  peek(thread: HistoryThread): HistoryEvent | undefined {
    return this.pendingCount > 0 ? this.pending.get(thread.lastEventId)?.[0] : undefined;
  }

  /** Whether the event was recorded before a restart (the run that resumes meets it again). */
  recordedBeforeRestart(id: number): boolean {
    return id <= this.horizon;
  }

  /** The time of the last add() when it met an event recorded before a restart; undefined otherwise. */
  get replayedTime(): number | undefined {
    return this.replayed;
  }

  /** The epoch milliseconds of an event. */
  timeOf(id: number): number {
    return this.events[id - 1]?.timestamp.getTime() ?? this.now();
  }

  marker(key: string): JsonValue | undefined {
    return this.markers.get(key);
  }

  /** Records a value beside the history (not an event): what a resumed execution must find again. */
  mark(key: string, value: JsonValue): void {
    if (this.closed) return;
    this.markers.set(key, value);
    this.onMarker?.(key, value);
  }

  get lastEventId(): number {
    return this.events.length;
  }
}

function sameSubject(recorded: HistoryEvent, details: HistoryEventDetails): boolean {
  const name = details.stateEnteredEventDetails?.name;
  if (name !== undefined && recorded.stateEnteredEventDetails?.name !== name) return false;
  const index =
    details.mapIterationStartedEventDetails?.index ??
    details.mapIterationSucceededEventDetails?.index ??
    details.mapIterationFailedEventDetails?.index ??
    details.mapIterationAbortedEventDetails?.index;
  if (index !== undefined) {
    const other =
      recorded.mapIterationStartedEventDetails?.index ??
      recorded.mapIterationSucceededEventDetails?.index ??
      recorded.mapIterationFailedEventDetails?.index ??
      recorded.mapIterationAbortedEventDetails?.index;
    if (other !== index) return false;
  }
  return true;
}

export const NOT_TRUNCATED: DataDetails = Object.freeze({ truncated: false });

/** A value as the history's details carry it: JSON text. */
export const historyJson = (value: JsonValue): string => JSON.stringify(value);
