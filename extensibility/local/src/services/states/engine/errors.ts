// Errors, as the service names them: StatesError is an error inside an execution (what Retry and
// Catch see); SfnApiError is what an API call on the engine throws (what the SFN API returns).

export const StatesErrorName = {
  ALL: 'States.ALL',
  Runtime: 'States.Runtime',
  Timeout: 'States.Timeout',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  TaskFailed: 'States.TaskFailed',
  Permissions: 'States.Permissions',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
  BranchFailed: 'States.BranchFailed',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  ItemReaderFailed: 'States.ItemReaderFailed',
  ResultWriterFailed: 'States.ResultWriterFailed',
  DataLimitExceeded: 'States.DataLimitExceeded',
  QueryEvaluationError: 'States.QueryEvaluationError',
} as const;

export interface StatesErrorOptions {
  /** The timeout came from a missed heartbeat (so a retrier on States.HeartbeatTimeout matches it too). */
  heartbeatTimeout?: boolean;
}

/** An error raised inside an execution: a task failure, a Fail state, or one the interpreter raises. */
export class StatesError extends Error {
  readonly error: string;
  override readonly cause: string | undefined;
  readonly heartbeatTimeout: boolean;
  /** Set when the error leaves the state that raised it (for the "entered at the event id" prefix). */
  stateName: string | undefined;
  enteredEventId: number | undefined;

  constructor(error: string, cause?: string, options: StatesErrorOptions = {}) {
    super(cause === undefined ? error : `${error}: ${cause}`);
    this.name = 'StatesError';
    this.error = error;
    this.cause = cause;
    this.heartbeatTimeout = options.heartbeatTimeout ?? false;
  }

  /** States.Runtime is not retriable and no catcher (not even States.ALL) catches it. */
  get terminal(): boolean {
    return this.error === StatesErrorName.Runtime;
  }

  /** The error output a Catch passes on: {"Error", "Cause"}. */
  toErrorOutput(): { Error: string; Cause?: string } {
    return this.cause === undefined ? { Error: this.error } : { Error: this.error, Cause: this.cause };
  }
}

/** What a TaskRunner throws to fail a task with a given error name (e.g. "Lambda.ServiceException"). */
export class TaskError extends Error {
  readonly error: string;
  override readonly cause: string | undefined;

  constructor(error: string, cause?: string) {
    super(cause === undefined ? error : `${error}: ${cause}`);
    this.name = 'TaskError';
    this.error = error;
    this.cause = cause;
  }
}

/** The SFN API's error codes that the engine raises. */
export type SfnApiErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException';

/** An SFN API error: `code` is the error type the API returns (e.g. "InvalidToken"). */
export class SfnApiError extends Error {
  readonly code: SfnApiErrorCode;

  constructor(code: SfnApiErrorCode, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}

/** Does a Retry/Catch ErrorEquals list match this error? */
export function errorMatches(errorEquals: readonly string[], err: StatesError): boolean {
  if (err.terminal) return false;
  for (const name of errorEquals) {
    if (name === err.error) return true;
    if (name === StatesErrorName.ALL) return true;
    if (name === StatesErrorName.HeartbeatTimeout && err.heartbeatTimeout) return true;
    // States.TaskFailed is a wildcard for every error but a timeout.
    if (name === StatesErrorName.TaskFailed && err.error !== StatesErrorName.Timeout) return true;
  }
  return false;
}

/** Whatever a task runner threw, as a StatesError. */
export function toStatesError(thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  if (typeof thrown === 'object' && thrown !== null && typeof (thrown as { error?: unknown }).error === 'string') {
    const { error, cause } = thrown as { error: string; cause?: unknown };
    return new StatesError(error, typeof cause === 'string' ? cause : undefined);
  }
  if (thrown instanceof Error) {
    return new StatesError(StatesErrorName.TaskFailed, thrown.message);
  }
  return new StatesError(StatesErrorName.TaskFailed, String(thrown));
}

/** Thrown through the interpreter when an execution is stopped or timed out (never caught by Catch). */
export class ExecutionInterrupt extends Error {
  constructor() {
    super('execution interrupted');
    this.name = 'ExecutionInterrupt';
  }
}

/**
 * What the engine's abort signals carry: one shared reason, because abort() without one builds a
 * DOMException with a stack trace each time (an execution ends, a task settles), and nothing reads it.
 */
export const ABORTED: Error = Object.freeze(Object.assign(new Error('aborted by the engine'), { name: 'AbortError' }));
