// The engine object: executions (start, describe, list, stop, history), task tokens for callback
// tasks (sendTaskSuccess/Failure/Heartbeat), notifications for whoever persists executions, and
// JSON snapshots of them. State machines themselves (create/update/delete) belong to the caller:
// it passes the definition with every startExecution.

import { randomUUID } from 'node:crypto';
import { createScaledClock } from './clock.js';
import type { EngineClock, TimerHandle } from './clock.js';
import { ABORTED, ExecutionInterrupt, SfnApiError, StatesError, StatesErrorName } from './errors.js';
import { HistoryRecorder, NOT_TRUNCATED } from './history.js';
import type { HistoryEvent, HistoryReplay } from './history.js';
import { ExecutionInterpreter } from './interpreter.js';
import type { TaskRunner } from './execution.js';
import { TaskTokens } from './task-tokens.js';
import type { JsonValue, MachineDef } from './types.js';
import { parseDefinition, validateDefinition } from './validate.js';

export type StateMachineType = 'STANDARD' | 'EXPRESS';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StateMachineRef {
  /** arn:aws:states:<region>:<account>:stateMachine:<name> */
  arn: string;
  name: string;
  /** The ASL definition, as JSON text or parsed. */
  definition: string | object;
  type?: StateMachineType;
  roleArn?: string;
}

export interface StartExecutionParams {
  stateMachine: StateMachineRef;
  /** Defaults to a UUID. */
  name?: string;
  /** JSON text (as the API carries it) or a value; defaults to "{}". */
  input?: string | JsonValue;
}

export interface StartExecutionResult {
  executionArn: string;
  startDate: Date;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
}

/** What ListExecutions returns of each execution: its description without input, output or error. */
export type ExecutionListItem = Pick<
  ExecutionDescription,
  'executionArn' | 'stateMachineArn' | 'name' | 'status' | 'startDate' | 'stopDate'
>;

export interface SyncExecutionResult extends ExecutionDescription {
  stopDate: Date;
}

export type EngineNotification =
  | { type: 'historyEvent'; executionArn: string; event: HistoryEvent }
  | { type: 'executionStatus'; execution: ExecutionDescription }
  /** A value recorded beside an execution's history (a task token, a heartbeat's time): what resuming it needs. */
  | { type: 'marker'; executionArn: string; key: string; value: JsonValue };

export type EngineListener = (notification: EngineNotification) => void;

export interface EngineOptions {
  taskRunner: TaskRunner;
  /** Defaults to a scaled real-time clock with `speed`. */
  clock?: EngineClock;
  /** Machine seconds per real second when no clock is given (default 1). */
  speed?: number;
  /** For ARNs that don't carry one (default us-east-1 / 123456789012). */
  region?: string;
  accountId?: string;
  /** Random source for retry jitter (default Math.random). */
  random?: () => number;
  /** Check Task resources are ARNs when validating definitions (default true). */
  checkArn?: boolean;
  /** Run asl-validator's schema checks on definitions not seen before (default true; see validateDefinition). */
  schemaValidation?: boolean;
  /**
   * How many closed executions each state machine keeps (the oldest closed are forgotten first;
   * running ones always stay). AWS keeps Standard executions 90 days and Express ones not at all
   * (they have no history to ask for); a local cloud that runs for hours must not hold every one.
   * Defaults: STANDARD 10,000, EXPRESS 1,000.
   */
  retainClosed?: Partial<Record<StateMachineType, number>>;
}

const DEFAULT_RETAIN_CLOSED: Record<StateMachineType, number> = { STANDARD: 10_000, EXPRESS: 1_000 };

/** A closed or running execution as JSON (dates as ISO text), for persistence. */
export interface ExecutionSnapshot {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  type: StateMachineType;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  roleArn: string;
  definition: string;
  history: (Omit<HistoryEvent, 'timestamp'> & { timestamp: string })[];
}

export interface ImportOptions {
  /**
   * What to do with an execution that was RUNNING when snapshotted: fail it, run it again from the
   * start, or resume it where its history ends (held until resumeExecutions() lets it go on).
   */
  running?: 'fail' | 'restart' | 'resume';
  /** With `resume`: the values it recorded beside its history (task tokens, heartbeats). */
  markers?: Record<string, JsonValue>;
}

/** Why a snapshot cannot resume, as a resumed execution's failure. */
const CANNOT_RESUME = 'The local engine restarted while the execution was running.';

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  type: StateMachineType;
  status: ExecutionStatus;
  startDate: Date;
  stopDate: Date | undefined;
  input: string;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  roleArn: string;
  definition: string;
  history: HistoryRecorder;
  controller: AbortController | undefined;
  timeoutTimer: TimerHandle | undefined;
  done: Promise<void>;
  markDone: () => void;
  /** A resumed execution not let go on yet (resumeExecutions()): what it runs with. */
  held: { machine: MachineDef; input: JsonValue; region: string; accountId: string } | undefined;
}

// What the service forbids in execution names: whitespace, brackets, wildcards, specials, controls.
const INVALID_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const isInvalidExecutionName = (name: string): boolean =>
  name.length === 0 ||
  name.length > 80 ||
  INVALID_NAME_CHARS.test(name) ||
  [...name].some((ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
const ARN = /^arn:([^:]+):states:([^:]*):([^:]*):(stateMachine|execution|express):(.+)$/;

function parseJsonText(text: string, code: 'InvalidExecutionInput' | 'InvalidOutput', what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new SfnApiError(code, `Invalid ${what}: ${(e as Error).message}`);
  }
}

export class StepFunctionsEngine {
  private readonly clock: EngineClock;
  private readonly taskRunner: TaskRunner;
  private readonly random: () => number;
  private readonly region: string;
  private readonly accountId: string;
  private readonly checkArn: boolean;
  private readonly schemaValidation: boolean;
  private readonly tokens = new TaskTokens();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly byStateMachine = new Map<string, Set<string>>();
  private readonly listeners = new Set<EngineListener>();
  private readonly definitions = new Map<string, MachineDef>();
  private readonly retainClosed: Record<StateMachineType, number>;
  /** Closed executions per state machine, oldest first: what retire() forgets beyond retainClosed. */
  private readonly closedByStateMachine = new Map<string, string[]>();
  private readonly counts = {
    started: { STANDARD: 0, EXPRESS: 0 } as Record<StateMachineType, number>,
    stateTransitions: 0,
    transitions: { STANDARD: 0, EXPRESS: 0 } as Record<StateMachineType, number>,
    /** Start to stop of the closed express executions (what express workflows bill by). */
    expressDurationMs: 0,
  };

  constructor(options: EngineOptions) {
    this.taskRunner = options.taskRunner;
    this.clock = options.clock ?? createScaledClock({ speed: options.speed ?? 1 });
    this.random = options.random ?? Math.random;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.checkArn = options.checkArn ?? true;
    this.schemaValidation = options.schemaValidation ?? true;
    this.retainClosed = { ...DEFAULT_RETAIN_CLOSED, ...options.retainClosed };
  }

  // ---- definitions ---------------------------------------------------------------------------

  /** Parses and validates a definition (cached by its text); throws InvalidDefinition. */
  compileDefinition(definition: string | object): MachineDef {
    const text = typeof definition === 'string' ? definition : JSON.stringify(definition);
    const cached = this.definitions.get(text);
    if (cached) return cached;
    const result = validateDefinition(text, { checkArn: this.checkArn, schema: this.schemaValidation });
    if (!result.valid)
      throw new SfnApiError('InvalidDefinition', `Invalid State Machine Definition: '${result.errors.join(', ')}'`);
    const machine = parseDefinition(text);
    if (this.definitions.size >= 512) {
      const oldest = this.definitions.keys().next().value;
      if (oldest !== undefined) this.definitions.delete(oldest);
    }
    this.definitions.set(text, machine);
    return machine;
  }

  // ---- executions ----------------------------------------------------------------------------

  startExecution(params: StartExecutionParams): StartExecutionResult {
    const sm = params.stateMachine;
    const type = sm.type ?? 'STANDARD';
    const arnParts = ARN.exec(sm.arn);
    if (!arnParts) throw new SfnApiError('InvalidArn', `Invalid Arn: '${sm.arn}'`);
    const machine = this.compileDefinition(sm.definition);
    const name = params.name ?? randomUUID();
    if (isInvalidExecutionName(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const inputValue =
      typeof params.input === 'string'
        ? parseJsonText(params.input, 'InvalidExecutionInput', 'Execution Input')
        : (params.input ?? {});
    const input = typeof params.input === 'string' ? params.input : JSON.stringify(inputValue);
    const [, partition, smRegion, smAccount] = arnParts;
    const region = smRegion || this.region;
    const account = smAccount || this.accountId;
    const executionArn =
      type === 'EXPRESS'
        ? `arn:${partition}:states:${region}:${account}:express:${sm.name}:${name}:${randomUUID()}`
        : `arn:${partition}:states:${region}:${account}:execution:${sm.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // StartExecution is idempotent for STANDARD: same name and input while running.
      if (existing.status === 'RUNNING' && existing.input === input)
        return { executionArn, startDate: existing.startDate };
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record = this.createRecord({
      executionArn,
      stateMachineArn: sm.arn,
      stateMachineName: sm.name,
      name,
      type,
      input,
      roleArn: sm.roleArn ?? `arn:${partition}:iam::${account}:role/service-role/StepFunctions-${sm.name}-role`,
      definition: typeof sm.definition === 'string' ? sm.definition : JSON.stringify(sm.definition),
      startDate: new Date(this.clock.now()),
    });
    this.counts.started[type]++;
    record.history.add(undefined, 'ExecutionStarted', {
      executionStartedEventDetails: { input, inputDetails: NOT_TRUNCATED, roleArn: record.roleArn },
    });
    this.notifyStatus(record);
    queueMicrotask(() => void this.run(record, machine, inputValue, region, account));
    return { executionArn, startDate: record.startDate };
  }

  /** Starts an execution and resolves when it ends (StartSyncExecution, for EXPRESS machines). */
  async startSyncExecution(params: StartExecutionParams): Promise<SyncExecutionResult> {
    const { executionArn } = this.startExecution(params);
    return (await this.waitForExecution(executionArn)) as SyncExecutionResult;
  }

  describeExecution(executionArn: string): ExecutionDescription {
    return this.describe(this.record(executionArn));
  }

  /** Executions of a state machine, newest first (ListExecutions). */
  listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionListItem[] {
    const arns = this.byStateMachine.get(stateMachineArn) ?? new Set<string>();
    const items: ExecutionListItem[] = [];
    for (const arn of arns) {
      const r = this.executions.get(arn);
      if (!r || (statusFilter !== undefined && r.status !== statusFilter)) continue;
      items.push({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        name: r.name,
        status: r.status,
        startDate: r.startDate,
        ...(r.stopDate ? { stopDate: r.stopDate } : {}),
      });
    }
    return items.sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  /** StopExecution: the execution ends ABORTED at once (stopping a closed one changes nothing). */
  stopExecution(executionArn: string, error?: string, cause?: string): { stopDate: Date } {
    const record = this.record(executionArn);
    if (record.status === 'RUNNING') {
      record.history.add({ lastEventId: record.history.lastEventId }, 'ExecutionAborted', {
        executionAbortedEventDetails: {
          ...(error !== undefined ? { error } : {}),
          ...(cause !== undefined ? { cause } : {}),
        },
      });
      this.close(record, 'ABORTED', { error, cause });
    }
    return { stopDate: record.stopDate ?? new Date(this.clock.now()) };
  }

  getExecutionHistory(executionArn: string, options: { reverseOrder?: boolean } = {}): HistoryEvent[] {
    const events = this.record(executionArn).history.events.slice();
    return options.reverseOrder ? events.reverse() : events;
  }

  /** Resolves with the execution's description once it is no longer RUNNING. */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    const record = this.record(executionArn);
    await record.done;
    return this.describe(record);
  }

  // ---- callbacks -----------------------------------------------------------------------------

  sendTaskSuccess(taskToken: string, output: string | JsonValue): void {
    const handlers = this.tokens.lookup(taskToken);
    const value = typeof output === 'string' ? parseJsonText(output, 'InvalidOutput', 'Output') : output;
    handlers.success(value);
  }

  /** The state machine ARN of a pending task token's execution (what IAM authorizes a callback on). */
  stateMachineOfToken(taskToken: string): string | undefined {
    const execution = this.tokens.executionOf(taskToken);
    const m = execution ? /^arn:([^:]+):states:([^:]+):([^:]+):(?:execution|express):([^:]+):/.exec(execution) : null;
    return m ? `arn:${m[1]}:states:${m[2]}:${m[3]}:stateMachine:${m[4]}` : undefined;
  }

  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    this.tokens.lookup(taskToken).failure(error, cause);
  }

  sendTaskHeartbeat(taskToken: string): void {
    this.tokens.lookup(taskToken).heartbeat();
  }

  /** Executions started by type, and states entered, since the engine began: what benchmarks look at. */
  stats(): {
    executionsStarted: Record<StateMachineType, number>;
    stateTransitions: number;
    transitions: Record<StateMachineType, number>;
    expressDurationMs: number;
  } {
    return {
      executionsStarted: { ...this.counts.started },
      stateTransitions: this.counts.stateTransitions,
      transitions: { ...this.counts.transitions },
      expressDurationMs: this.counts.expressDurationMs,
    };
  }

  /** Callback tasks waiting for a token. */
  get pendingTaskTokens(): number {
    return this.tokens.size;
  }

  // ---- notifications and snapshots -----------------------------------------------------------

  /** Every history event and status change; returns the unsubscribe function. */
  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  exportExecution(executionArn: string): ExecutionSnapshot {
    const r = this.record(executionArn);
    return {
      executionArn: r.executionArn,
      stateMachineArn: r.stateMachineArn,
      stateMachineName: r.stateMachineName,
      name: r.name,
      type: r.type,
      status: r.status,
      startDate: r.startDate.toISOString(),
      ...(r.stopDate ? { stopDate: r.stopDate.toISOString() } : {}),
      input: r.input,
      ...(r.output !== undefined ? { output: r.output } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.cause !== undefined ? { cause: r.cause } : {}),
      roleArn: r.roleArn,
      definition: r.definition,
      history: r.history.events.map((event) => ({ ...event, timestamp: event.timestamp.toISOString() })),
    };
  }

  exportExecutions(): ExecutionSnapshot[] {
    return [...this.executionSnapshots()];
  }

  /** Every execution the engine holds (but those `skip` names), one snapshot at a time (a journal writes them without holding all at once). */
  *executionSnapshots(skip?: (executionArn: string) => boolean): Generator<ExecutionSnapshot> {
    for (const arn of [...this.executions.keys()]) {
      if (this.executions.has(arn) && !skip?.(arn)) yield this.exportExecution(arn);
    }
  }

  /** Loads a snapshot (after a restart, say). Running executions are failed, or restarted from the beginning. */
  importExecution(snapshot: ExecutionSnapshot, options: ImportOptions = {}): void {
    if (this.executions.has(snapshot.executionArn)) {
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${snapshot.executionArn}'`);
    }
    const events = snapshot.history.map(
      (event) => ({ ...event, timestamp: new Date(event.timestamp) }) as HistoryEvent,
    );
    const record = this.createRecord({
      executionArn: snapshot.executionArn,
      stateMachineArn: snapshot.stateMachineArn,
      stateMachineName: snapshot.stateMachineName,
      name: snapshot.name,
      type: snapshot.type,
      input: snapshot.input,
      roleArn: snapshot.roleArn,
      definition: snapshot.definition,
      startDate: new Date(snapshot.startDate),
      events: snapshot.status === 'RUNNING' && options.running === 'restart' ? events.slice(0, 1) : events,
      ...(snapshot.status === 'RUNNING' && options.running === 'resume'
        ? { replay: { replay: true, markers: options.markers ?? {} } }
        : {}),
    });
    if (snapshot.status !== 'RUNNING') {
      record.status = snapshot.status;
      record.stopDate = snapshot.stopDate ? new Date(snapshot.stopDate) : undefined;
      record.output = snapshot.output;
      record.error = snapshot.error;
      record.cause = snapshot.cause;
      record.history.close();
      record.markDone();
      this.retire(record);
      return;
    }
    if (options.running === 'resume') {
      const arnParts = ARN.exec(snapshot.executionArn);
      let failure: string | undefined;
      try {
        record.held = {
          machine: this.compileDefinition(snapshot.definition),
          input: parseJsonText(snapshot.input, 'InvalidExecutionInput', 'Execution Input'),
          region: arnParts?.[2] || this.region,
          accountId: arnParts?.[3] || this.accountId,
        };
      } catch (e) {
        failure = `${CANNOT_RESUME} It cannot resume: ${(e as Error).message}`;
      }
      if (!failure) return;
      const details = { error: StatesErrorName.Runtime, cause: failure };
      record.history.add({ lastEventId: record.history.lastEventId }, 'ExecutionFailed', {
        executionFailedEventDetails: details,
      });
      this.close(record, 'FAILED', details);
      return;
    }
    if (options.running === 'restart') {
      const arnParts = ARN.exec(snapshot.executionArn);
      const machine = this.compileDefinition(snapshot.definition);
      const input = parseJsonText(snapshot.input, 'InvalidExecutionInput', 'Execution Input');
      queueMicrotask(
        () => void this.run(record, machine, input, arnParts?.[2] || this.region, arnParts?.[3] || this.accountId),
      );
      return;
    }
    const failure = { error: StatesErrorName.Runtime, cause: CANNOT_RESUME };
    record.history.add({ lastEventId: record.history.lastEventId }, 'ExecutionFailed', {
      executionFailedEventDetails: failure,
    });
    this.close(record, 'FAILED', failure);
  }

  /**
   * Lets resumed executions go on (those `which` accepts, by state machine ARN; all by default):
   * each runs again from its start, meeting what it recorded before the restart, and carries on
   * from where its history ends. Returns the ARNs of those let go.
   */
  resumeExecutions(which: (stateMachineArn: string) => boolean = () => true): string[] {
    const resumed: string[] = [];
    for (const record of this.executions.values()) {
      const held = record.held;
      if (!held || record.status !== 'RUNNING' || !which(record.stateMachineArn)) continue;
      record.held = undefined;
      resumed.push(record.executionArn);
      queueMicrotask(() => void this.run(record, held.machine, held.input, held.region, held.accountId));
    }
    return resumed;
  }

  /** Resumed executions not let go on yet, with their state machine. */
  heldExecutions(): Array<{ executionArn: string; stateMachineArn: string }> {
    return [...this.executions.values()]
      .filter((r) => r.held !== undefined && r.status === 'RUNNING')
      .map((r) => ({ executionArn: r.executionArn, stateMachineArn: r.stateMachineArn }));
  }

  /** Stops every running execution (ABORTED) and so every timer: for shutting down. */
  shutdown(cause = 'The local engine shut down.'): void {
    for (const record of this.executions.values()) {
      if (record.status === 'RUNNING') this.stopExecution(record.executionArn, undefined, cause);
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private createRecord(fields: {
    executionArn: string;
    stateMachineArn: string;
    stateMachineName: string;
    name: string;
    type: StateMachineType;
    input: string;
    roleArn: string;
    definition: string;
    startDate: Date;
    events?: HistoryEvent[];
    replay?: HistoryReplay;
  }): ExecutionRecord {
    let markDone = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      markDone = resolve;
    });
    const executionArn = fields.executionArn;
    const { replay: _replay, ...described } = fields;
    const record: ExecutionRecord = {
      ...described,
      status: 'RUNNING',
      stopDate: undefined,
      output: undefined,
      error: undefined,
      cause: undefined,
      history: new HistoryRecorder(
        () => this.clock.now(),
        (event) => {
          if (event.type.endsWith('StateEntered')) {
            this.counts.stateTransitions++;
            this.counts.transitions[fields.type]++;
          }
          if (this.listeners.size > 0) this.notify({ type: 'historyEvent', executionArn, event });
        },
        fields.events ?? [],
        {
          ...fields.replay,
          onMarker: (key, value) => {
            if (this.listeners.size > 0) this.notify({ type: 'marker', executionArn, key, value });
          },
        },
      ),
      controller: undefined,
      held: undefined,
      timeoutTimer: undefined,
      done,
      markDone,
    };
    this.executions.set(executionArn, record);
    let arns = this.byStateMachine.get(record.stateMachineArn);
    if (!arns) {
      arns = new Set();
      this.byStateMachine.set(record.stateMachineArn, arns);
    }
    arns.add(executionArn);
    return record;
  }

  private record(executionArn: string): ExecutionRecord {
    const record = this.executions.get(executionArn);
    if (record) return record;
    if (!ARN.test(executionArn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  }

  private describe(r: ExecutionRecord): ExecutionDescription {
    return {
      executionArn: r.executionArn,
      stateMachineArn: r.stateMachineArn,
      name: r.name,
      status: r.status,
      startDate: r.startDate,
      ...(r.stopDate ? { stopDate: r.stopDate } : {}),
      input: r.input,
      inputDetails: { included: true },
      ...(r.output !== undefined ? { output: r.output, outputDetails: { included: true } } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.cause !== undefined ? { cause: r.cause } : {}),
    };
  }

  private notify(notification: EngineNotification): void {
    for (const listener of this.listeners) {
      try {
        listener(notification);
      } catch {
        // A listener's failure must not break the execution it observes.
      }
    }
  }

  private notifyStatus(record: ExecutionRecord): void {
    if (this.listeners.size > 0) this.notify({ type: 'executionStatus', execution: this.describe(record) });
  }

  private close(
    record: ExecutionRecord,
    status: ExecutionStatus,
    outcome: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    if (record.status !== 'RUNNING') return;
    record.status = status;
    record.stopDate = new Date(this.clock.now());
    if (record.type === 'EXPRESS')
      this.counts.expressDurationMs += record.stopDate.getTime() - record.startDate.getTime();
    record.output = outcome.output;
    record.error = outcome.error;
    record.cause = outcome.cause;
    record.history.close();
    record.timeoutTimer?.cancel();
    record.timeoutTimer = undefined;
    const controller = record.controller;
    record.controller = undefined;
    controller?.abort(ABORTED);
    record.markDone();
    this.notifyStatus(record);
    this.retire(record);
  }

  /** Counts a closed execution; forgets its state machine's oldest closed ones beyond the retention. */
  private retire(record: ExecutionRecord): void {
    let closed = this.closedByStateMachine.get(record.stateMachineArn);
    if (!closed) this.closedByStateMachine.set(record.stateMachineArn, (closed = []));
    closed.push(record.executionArn);
    const limit = Math.max(0, this.retainClosed[record.type]);
    while (closed.length > limit) {
      const arn = closed.shift()!;
      this.executions.delete(arn);
      this.byStateMachine.get(record.stateMachineArn)?.delete(arn);
    }
  }

  private async run(
    record: ExecutionRecord,
    machine: MachineDef,
    input: JsonValue,
    region: string,
    accountId: string,
  ): Promise<void> {
    if (record.status !== 'RUNNING') return;
    const controller = new AbortController();
    record.controller = controller;
    if (machine.TimeoutSeconds !== undefined) {
      // From the execution's start, for one resumed after a restart.
      const elapsed = record.history.recordedBeforeRestart(1)
        ? Math.max(0, this.clock.now() - record.startDate.getTime()) * this.clock.speed
        : 0;
      record.timeoutTimer = this.clock.schedule(machine.TimeoutSeconds * 1000 - elapsed, () => {
        if (record.status !== 'RUNNING') return;
        const failure = {
          error: StatesErrorName.Timeout,
          cause: `The execution exceeded its TimeoutSeconds of ${machine.TimeoutSeconds} seconds.`,
        };
        record.history.add({ lastEventId: record.history.lastEventId }, 'ExecutionTimedOut', {
          executionTimedOutEventDetails: failure,
        });
        this.close(record, 'TIMED_OUT', failure);
      });
    }
    const interpreter = new ExecutionInterpreter(machine, {
      clock: this.clock,
      taskRunner: this.taskRunner,
      callbacks: this.tokens,
      history: record.history,
      signal: controller.signal,
      random: this.random,
      region,
      accountId,
      executionArn: record.executionArn,
      executionName: record.name,
      stateMachineArn: record.stateMachineArn,
      stateMachineName: record.stateMachineName,
      roleArn: record.roleArn,
      startTime: record.startDate.getTime(),
      input,
    });
    try {
      const output = JSON.stringify(await interpreter.run());
      if (record.status !== 'RUNNING') return;
      record.history.add({ lastEventId: record.history.lastEventId }, 'ExecutionSucceeded', {
        executionSucceededEventDetails: { output, outputDetails: NOT_TRUNCATED },
      });
      this.close(record, 'SUCCEEDED', { output });
    } catch (e) {
      if (record.status !== 'RUNNING' || e instanceof ExecutionInterrupt) return;
      let failure: { error?: string; cause?: string };
      if (e instanceof StatesError) {
        // States.Runtime causes say where it happened, as the service's do.
        const cause =
          e.terminal && e.stateName !== undefined
            ? `An error occurred while executing the state '${e.stateName}' (entered at the event id #${e.enteredEventId}). ${e.cause ?? ''}`.trimEnd()
            : e.cause;
        failure = { ...(e.error !== '' ? { error: e.error } : {}), ...(cause !== undefined ? { cause } : {}) };
      } else {
        failure = {
          error: StatesErrorName.Runtime,
          cause: `Internal error of the local engine: ${(e as Error).message ?? String(e)}`,
        };
      }
      record.history.add({ lastEventId: record.history.lastEventId }, 'ExecutionFailed', {
        executionFailedEventDetails: failure,
      });
      this.close(record, 'FAILED', failure);
    }
  }
}
