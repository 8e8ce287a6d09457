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

export class HistoryRecorder {
  readonly events: HistoryEvent[];

  constructor(
    private readonly now: () => number,
    private readonly listener?: HistoryEventListener,
    existing: HistoryEvent[] = [],
  ) {
    this.events = existing;
  }

  private closed = false;

  /** After close() (the execution ended), late events of aborted branches are dropped. */
  close(): void {
    this.closed = true;
  }

  add(thread: HistoryThread | undefined, type: HistoryEventType, details: HistoryEventDetails = {}): number {
    if (this.closed) return this.events.length;
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

  get lastEventId(): number {
    return this.events.length;
  }
}

export const NOT_TRUNCATED: DataDetails = Object.freeze({ truncated: false });

/** A value as the history's details carry it: JSON text. */
export const historyJson = (value: JsonValue): string => JSON.stringify(value);
