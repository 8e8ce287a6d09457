// What one execution runs with and what its states share: the environment the engine hands the
// interpreter (clock, task runner, callbacks, history), the TaskRunner contract of service
// integrations, and the StateHost through which the Task, Parallel and Map states reach back into
// the state loop (nested blocks, context object, paths and JSONata).
import type { EngineClock } from './clock.js';
import type { HistoryRecorder, HistoryThread } from './history.js';
import type { JsonataScope } from './jsonata.js';
import type { PathEnv } from './paths.js';
import type { JsonValue, MachineDef, QueryLanguage, StateDef } from './types.js';
import type { VariableScope } from './variables.js';

export type IntegrationPattern = 'request-response' | 'sync' | 'callback';

/** What a TaskRunner learns about the task it runs. */
export interface TaskContext {
  /** The task token, for the callback pattern (resources ending in ".waitForTaskToken"). */
  taskToken?: string;
  stateName: string;
  executionArn: string;
  stateMachineArn: string;
  /** Aborted when the task no longer matters (timed out, execution stopped, or settled by callback). */
  signal: AbortSignal;
  /** request-response, sync (".sync", ".sync:2": the runner waits for the job) or callback. */
  integrationPattern: IntegrationPattern;
  /** Resets the heartbeat timer (a .sync runner polling a long job calls it while it makes progress). */
  heartbeat(): void;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  region: string;
  accountId: string;
}

/**
 * Runs a Task state's resource with its effective input. Resolves with the task's result; rejects
 * with a TaskError (or anything with string `error` and `cause`) to fail the task with that error
 * name. For the callback pattern, resolving means "submitted": the engine then waits for
 * sendTaskSuccess / sendTaskFailure on ctx.taskToken.
 */
export type TaskRunner = (resource: string, input: unknown, ctx: TaskContext) => Promise<unknown>;

export interface CallbackHandlers {
  success(output: JsonValue): void;
  failure(error: string | undefined, cause: string | undefined): void;
  heartbeat(): void;
}

/** Task tokens of callback tasks: the engine owns them (sendTaskSuccess & co. land there). */
export interface CallbackRegistry {
  create(executionArn: string): string;
  /** Takes back a token created before a restart, for the execution that resumes. */
  adopt(token: string, executionArn: string): string;
  register(token: string, handlers: CallbackHandlers): void;
  release(token: string): void;
}

export interface ExecutionEnvironment {
  clock: EngineClock;
  taskRunner: TaskRunner;
  callbacks: CallbackRegistry;
  history: HistoryRecorder;
  /** Aborted by StopExecution and by the execution timeout. */
  signal: AbortSignal;
  random: () => number;
  region: string;
  accountId: string;
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  startTime: number;
  input: JsonValue;
  /** Variables of the top-level scope to start with (a restarted execution); normally none. */
  variables?: Record<string, JsonValue>;
}

/** Where a state runs: its history thread, variable scope, abort signal and default query language. */
export interface Scope {
  thread: HistoryThread;
  vars: VariableScope;
  signal: AbortSignal;
  queryLanguage: QueryLanguage;
}

/** One run of one state: what its handlers read and update (retry count, task token). */
export interface StateRun {
  name: string;
  state: StateDef;
  raw: JsonValue;
  scope: Scope;
  jsonata: boolean;
  enteredEventId: number;
  enteredTime: string;
  retryCount: number;
  taskToken: string | undefined;
}

export interface StateResult {
  output: JsonValue;
  assigned?: Record<string, JsonValue>;
}

export interface StateOutcome extends StateResult {
  next: string | undefined;
}

/** A Map iteration's item, as the context object shows it ($$.Map.Item). */
export type MapItem = { Index: number; Value: JsonValue };

/** What the Task, Parallel and Map states use of the interpreter that runs them. */
export interface StateHost {
  readonly env: ExecutionEnvironment;
  /** Runs a nested block (a Parallel branch, a Map iteration) from its StartAt to its end. */
  runBlock(block: MachineDef, input: JsonValue, scope: Scope): Promise<JsonValue>;
  /** A branch's or iteration's scope: its own thread and signal, variables inherited from the parent. */
  childScope(parent: Scope, thread: HistoryThread, signal: AbortSignal, language: QueryLanguage | undefined): Scope;
  pathEnv(c: StateRun, mapItem?: MapItem): PathEnv;
  jsonataScope(c: StateRun, mapItem?: MapItem): JsonataScope;
  /** A JSONata field that is a number or an expression yielding one (TimeoutSeconds, MaxConcurrency...). */
  jsonataNumber(value: number | string | undefined, scope: JsonataScope, field: string): Promise<number | undefined>;
  /** A JSONPath state's whole-number field: a literal or a *Path into the effective input. */
  pathSeconds(
    literal: number | string | undefined,
    path: string | undefined,
    input: JsonValue,
    env: PathEnv,
    field: string,
  ): number | undefined;
  /** The tail shared by Task, Parallel and Map: ResultSelector, Assign, ResultPath, OutputPath (or Output). */
  finishWithResult(c: StateRun, result: JsonValue): Promise<StateResult>;
}
