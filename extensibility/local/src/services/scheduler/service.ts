// EventBridge Scheduler: schedules (at, rate, cron in a time zone) that invoke one templated target
// each, a Lambda function (asynchronously) or a state machine (StartExecution), on the simulated
// clock. Stacks create them for SAM ScheduleV2 events and AWS::Scheduler::Schedule resources; the
// edge answers the Scheduler REST API (CreateSchedule, GetSchedule, ListSchedules, DeleteSchedule
// under /schedules) so @aws-sdk/client-scheduler works unchanged.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseArn, type Account } from '../../arn.js';
import { AwsError, notFound, validation } from '../../edge/errors.js';
import { sendAwsError } from '../../edge/server.js';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import type { TimeScale } from '../../time.js';
import { isoSeconds, startSchedule } from '../events/schedule.js';
import type { ScheduleStore } from '../events/schedule-store.js';
import { scheduleRecurrence, ScheduleExpressionError } from './expressions.js';
import { epochSeconds, jsonBody } from '../request.js';
import { SchedulesStore } from './store.js';

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

/** CreateSchedule's request, as the API names its members. */
export interface CreateScheduleInput {
  Name: string;
  GroupName?: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  /** A Date, an ISO 8601 string (templates) or epoch seconds (the API). */
  StartDate?: Date | string | number;
  EndDate?: Date | string | number;
  State?: string;
  Description?: string;
  FlexibleTimeWindow?: { Mode?: string; MaximumWindowInMinutes?: number };
  Target: ScheduleTarget;
  ActionAfterCompletion?: string;
  KmsKeyArn?: string;
}

export interface Schedule {
  name: string;
  groupName: string;
  arn: string;
  scheduleExpression: string;
  scheduleExpressionTimezone?: string;
  startDate?: Date;
  endDate?: Date;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  flexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  target: ScheduleTarget;
  actionAfterCompletion: 'NONE' | 'DELETE';
  kmsKeyArn?: string;
  creationDate: Date;
  lastModificationDate: Date;
}

/** What one invocation of a schedule's target is given besides the input. */
export interface ScheduleInvocation {
  schedule: Schedule;
  scheduledTime: Date;
  executionId: string;
}

/** Delivers a schedule's input to a target ARN of one service; throws to report a failed invocation. */
export type ScheduleTargetInvoker = (arn: string, input: string, invocation: ScheduleInvocation) => Promise<void>;

export interface SchedulerServiceOptions {
  account: Account;
  time: TimeScale;
  log?: (line: string) => void;
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const PATH = /^\/schedules(?:\/([^/]+))?$/;
const JSON_TARGETS = new Set(['lambda', 'states', 'events']);

/** A ValidationException that names the request member at fault (for deploy errors). */
export class ScheduleValidationError extends AwsError {
  constructor(
    readonly member: string,
    message: string,
  ) {
    super('ValidationException', message);
  }
}
const invalid = (member: string, message: string) => new ScheduleValidationError(member, message);
const constraint = (member: string, value: unknown, rule: string) =>
  invalid(
    member,
    `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: ${rule}`,
  );

const toDate = (value: Date | string | number | undefined, member: string): Date | undefined => {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw invalid(member, `Invalid ${member} ${String(value)}: expected a date and time such as 2030-01-01T00:00:00Z.`);
  return date;
};

export class SchedulerService implements PathService {
  readonly name = 'scheduler';
  private readonly schedules = new Map<string, Schedule>();
  private readonly timers = new Map<string, () => void>();
  private readonly invokers = new Map<string, ScheduleTargetInvoker>();
  private readonly pending = new Set<Promise<void>>();
  private readonly account: Account;
  private readonly time: TimeScale;
  private readonly log: (line: string) => void;
  /** With --data-dir: where schedules keep their times over a restart. */
  store: ScheduleStore | undefined;
  /**
   * Sends a failed invocation's dead-letter event to the schedule's `DeadLetterConfig` queue with
   * the schedule's role (which needs sqs:SendMessage on it): false when there is no such queue
   * locally, `refused` with AWS's message when the role may not send there.
   */
  deadLetterSink?: (
    queueArn: string,
    body: string,
    attributes: Record<string, string>,
    roleArn: string,
  ) => boolean | { refused: string };

  constructor(options: SchedulerServiceOptions) {
    this.account = options.account;
    this.time = options.time;
    this.log = options.log ?? (() => {});
  }

  /** Registers who invokes target ARNs of one service ("lambda", "states"). */
  registerInvoker(service: string, invoker: ScheduleTargetInvoker): void {
    this.invokers.set(service, invoker);
  }

  private key = (groupName: string, name: string) => `${groupName}/${name}`;

  // ---- the model ----

  /**
   * CreateSchedule: validates as AWS does, stores the schedule and starts it if ENABLED; returns its
   * ARN. `fromApi` (the API's CreateSchedule or UpdateSchedule) keeps it over a restart, written
   * before it is made; `created` is its creation date when it is made again.
   */
  create(
    input: CreateScheduleInput,
    options: { fromApi?: 'CreateSchedule' | 'UpdateSchedule'; created?: Date } = {},
  ): string {
    const name = input.Name;
    if (typeof name !== 'string' || !NAME.test(name))
      throw constraint('Name', name, 'Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+');
    const groupName = input.GroupName ?? 'default';
    if (this.schedules.has(this.key(groupName, name)))
      throw new AwsError('ConflictException', `Schedule ${name} already exists.`, 409);
    if (typeof input.ScheduleExpression !== 'string' || input.ScheduleExpression === '')
      throw constraint('ScheduleExpression', undefined, 'Member must not be null');
    const state = input.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED')
      throw constraint('State', state, 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    const actionAfterCompletion = input.ActionAfterCompletion ?? 'NONE';
    if (actionAfterCompletion !== 'NONE' && actionAfterCompletion !== 'DELETE')
      throw constraint(
        'ActionAfterCompletion',
        actionAfterCompletion,
        'Member must satisfy enum value set: [NONE, DELETE]',
      );
    const requested = input.FlexibleTimeWindow ?? { Mode: 'OFF' };
    const mode = requested.Mode;
    if (mode !== 'OFF' && mode !== 'FLEXIBLE')
      throw constraint('FlexibleTimeWindow.Mode', mode, 'Member must satisfy enum value set: [OFF, FLEXIBLE]');
    const window = { ...requested, Mode: mode };
    const target = input.Target;
    if (!target || typeof target.Arn !== 'string') throw constraint('Target.Arn', undefined, 'Member must not be null');
    if (typeof target.RoleArn !== 'string') throw constraint('Target.RoleArn', undefined, 'Member must not be null');
    const service = parseArn(target.Arn)?.service ?? '';
    if (!this.invokers.has(service)) {
      throw invalid(
        'Target.Arn',
        `Target ${target.Arn} is not a target the local cloud invokes (templated targets of: ${[...this.invokers.keys()].join(', ')}).`,
      );
    }
    // Templated Lambda, Step Functions and EventBridge targets take well-formed JSON.
    if (target.Input !== undefined && JSON_TARGETS.has(service)) {
      try {
        JSON.parse(target.Input);
      } catch {
        throw invalid(
          'Target.Input',
          `Target.Input must be well-formed JSON for a ${service === 'lambda' ? 'Lambda' : service === 'states' ? 'Step Functions' : 'EventBridge'} target: ${target.Input}`,
        );
      }
    }
    const startDate = toDate(input.StartDate, 'StartDate');
    const endDate = toDate(input.EndDate, 'EndDate');
    const now = new Date();
    const timing = {
      expression: input.ScheduleExpression,
      ...(input.ScheduleExpressionTimezone !== undefined ? { timezone: input.ScheduleExpressionTimezone } : {}),
      ...(startDate ? { startDate } : {}),
      ...(endDate ? { endDate } : {}),
    };
    try {
      scheduleRecurrence(timing, now);
    } catch (e) {
      if (e instanceof ScheduleExpressionError) throw invalid(e.member, e.message);
      throw e;
    }
    const schedule: Schedule = {
      name,
      groupName,
      arn: `arn:aws:scheduler:${this.account.region}:${this.account.accountId}:schedule/${groupName}/${name}`,
      scheduleExpression: input.ScheduleExpression,
      state,
      flexibleTimeWindow: window,
      target: { ...target },
      actionAfterCompletion,
      creationDate: options.created ?? now,
      lastModificationDate: now,
      ...(input.ScheduleExpressionTimezone !== undefined
        ? { scheduleExpressionTimezone: input.ScheduleExpressionTimezone }
        : {}),
      ...(startDate ? { startDate } : {}),
      ...(endDate ? { endDate } : {}),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.KmsKeyArn !== undefined ? { kmsKeyArn: input.KmsKeyArn } : {}),
    };
    if (options.fromApi)
      this.schedulesStore?.put({ input: { ...input }, created: schedule.creationDate.getTime() }, options.fromApi);
    this.schedules.set(this.key(groupName, name), schedule);
    const recorded = [
      target.RetryPolicy && 'RetryPolicy',
      window.Mode === 'FLEXIBLE' && 'FlexibleTimeWindow FLEXIBLE',
    ].filter(Boolean);
    if (recorded.length) {
      this.log(
        `[scheduler] ${name}: ${recorded.join(', ')} recorded, not emulated (a failed invocation is not retried: it goes to the DeadLetterConfig queue, else it is logged and dropped; the target is invoked at the scheduled time)`,
      );
    }
    if (state === 'ENABLED') this.start(schedule);
    return schedule.arn;
  }

  get(name: string, groupName = 'default'): Schedule | undefined {
    return this.schedules.get(this.key(groupName, name));
  }

  list(): Schedule[] {
    return [...this.schedules.values()];
  }

  /** DeleteSchedule: stops and removes it; false when there was none. */
  delete(name: string, groupName = 'default'): boolean {
    const key = this.key(groupName, name);
    // One made through the API is forgotten on disk first (a write that fails refuses the delete).
    this.schedulesStore?.delete(groupName, name);
    this.timers.get(key)?.();
    this.timers.delete(key);
    const schedule = this.schedules.get(key);
    if (schedule) this.store?.forget(schedule.arn);
    return this.schedules.delete(key);
  }

  /** Resolves when every invocation started so far has been made (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    for (const stop of this.timers.values()) stop();
    this.timers.clear();
    this.schedulesStore?.close();
  }

  /**
   * UpdateSchedule: replaces the schedule with the request (validated as CreateSchedule's), keeping
   * its creation date; its times go on when its expression stays. Refused, the schedule stays as it was.
   */
  update(input: CreateScheduleInput): string {
    const groupName = input.GroupName ?? 'default';
    const key = this.key(groupName, input.Name);
    const old = this.schedules.get(key);
    if (!old) throw notFound(`Schedule ${input.Name} does not exist.`);
    const stopOld = this.timers.get(key);
    this.schedules.delete(key);
    let arn: string;
    try {
      arn = this.create(input, { fromApi: 'UpdateSchedule', created: old.creationDate });
    } catch (e) {
      this.schedules.set(key, old);
      throw e;
    }
    stopOld?.();
    if (this.timers.get(key) === stopOld) this.timers.delete(key);
    return arn;
  }

  /** With --data-dir: keeps the schedules made through the API in `file` and makes those kept again; returns how many. */
  persistSchedules(file: string): number {
    const store = new SchedulesStore(file, this.log);
    let made = 0;
    for (const { input, created } of store.restored) {
      try {
        this.create(input, { created: new Date(created) });
        made++;
      } catch (e) {
        this.log(
          `[scheduler] the schedule ${input.Name} made through the API before the restart was not made again: ${(e as Error).message}`,
        );
      }
    }
    this.schedulesStore = store;
    return made;
  }

  private schedulesStore: SchedulesStore | undefined;

  private start(schedule: Schedule): void {
    const key = this.key(schedule.groupName, schedule.name);
    // A schedule kept from before a restart (--data-dir) goes on with its times; a time missed while
    // the cloud was down fires once at start if its flexible time window allows it.
    const kept = this.store?.get(schedule.arn, schedule.scheduleExpression);
    const anchor = kept?.anchor ?? Date.now();
    const window = schedule.flexibleTimeWindow;
    const recurrence = scheduleRecurrence(
      {
        expression: schedule.scheduleExpression,
        ...(schedule.scheduleExpressionTimezone !== undefined ? { timezone: schedule.scheduleExpressionTimezone } : {}),
        ...(schedule.startDate ? { startDate: schedule.startDate } : {}),
        ...(schedule.endDate ? { endDate: schedule.endDate } : {}),
      },
      new Date(anchor),
    );
    if (!recurrence.next(new Date()))
      this.log(
        `[scheduler] ${schedule.name}: ${schedule.scheduleExpression} has no time left to run at; it will not fire`,
      );
    const stop = startSchedule(
      recurrence,
      this.time,
      (scheduled) => {
        this.invoke(schedule, scheduled);
        if (schedule.actionAfterCompletion === 'DELETE' && !recurrence.next(scheduled))
          this.delete(schedule.name, schedule.groupName);
      },
      (e) => this.log(`[scheduler] ${schedule.name}: ${(e as Error).message}`),
      {
        ...(kept ? { resume: kept } : {}),
        windowMs: window.Mode === 'FLEXIBLE' ? (window.MaximumWindowInMinutes ?? 0) * 60_000 : 0,
        onHandled: (upTo) =>
          this.store?.save(schedule.arn, {
            expression: schedule.scheduleExpression,
            anchor,
            upTo,
            wall: Date.now(),
          }),
      },
    );
    this.timers.set(key, stop);
  }

  /** One invocation of the target, with the context attributes of its input replaced. */
  private invoke(schedule: Schedule, scheduledTime: Date): void {
    const { target } = schedule;
    const executionId = randomUUID().replace(/-/g, '').slice(0, 16);
    // Scheduler's context attributes, replaced wherever they appear in the input.
    const values: Record<string, string> = {
      'schedule-arn': schedule.arn,
      'scheduled-time': isoSeconds(scheduledTime),
      'execution-id': executionId,
      'attempt-number': '1',
    };
    const input = (target.Input ?? '{}').replace(
      /<aws\.scheduler\.([a-z-]+)>/g,
      (whole, key: string) => values[key] ?? whole,
    );
    const invoker = this.invokers.get(parseArn(target.Arn)?.service ?? '')!;
    const p: Promise<void> = invoker(target.Arn, input, { schedule, scheduledTime, executionId }).then(
      () => undefined,
      (e: unknown) => this.failed(schedule, input, scheduledTime, executionId, e as Error),
    );
    void p.finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /**
   * A failed invocation: the failures the local cloud has (a refused role, a target that does not
   * exist) are ones Scheduler does not retry; the dead-letter event (the target's input, with
   * Scheduler's attributes) goes to the `DeadLetterConfig` queue, else the invocation is dropped.
   */
  private failed(schedule: Schedule, input: string, scheduledTime: Date, executionId: string, error: Error): void {
    const { target } = schedule;
    const queue = target.DeadLetterConfig?.Arn;
    let outcome = 'dropped';
    if (queue) {
      const sent = this.deadLetterSink?.(
        queue,
        input,
        {
          ERROR_CODE: error.name,
          ERROR_MESSAGE: error.message.slice(0, 1024),
          EXECUTION_ID: executionId,
          IS_PAYLOAD_TRUNCATED: 'false',
          RETRY_ATTEMPTS: '0',
          SCHEDULED_TIME: isoSeconds(scheduledTime),
          SCHEDULE_ARN: schedule.arn,
          TARGET_ARN: target.Arn,
        },
        target.RoleArn,
      );
      outcome =
        typeof sent === 'object'
          ? `dropped: it could not be sent to the dead-letter queue ${queue}: ${sent.refused}`
          : sent
            ? `sent to the dead-letter queue ${queue}`
            : `dropped (its dead-letter queue ${queue} does not exist locally)`;
    }
    this.log(
      `[scheduler] ${schedule.name} -> ${target.Arn}: ${error.name}: ${error.message}; invocation ${executionId} ${outcome} (not retried)`,
    );
  }

  // ---- the REST API on the edge ----

  accepts(request: EdgeRequest): boolean {
    return PATH.test(request.path);
  }

  async serve(request: EdgeRequest, response: ServerResponse): Promise<void> {
    const contentType = 'application/json';
    try {
      const name = PATH.exec(request.path)![1];
      const out = this.route(request, name === undefined ? undefined : decodeURIComponent(name));
      const body = JSON.stringify(out);
      response.writeHead(200, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': randomUUID(),
      });
      response.end(body);
    } catch (e) {
      if (e instanceof AwsError) return sendAwsError(response, e, contentType);
      throw e;
    }
  }

  private route(request: EdgeRequest, name: string | undefined): unknown {
    const group = request.query.get('groupName') ?? 'default';
    if (name === undefined) {
      if (request.method === 'GET') return this.listSchedules(request.query);
    } else if (request.method === 'GET') {
      return this.describe(this.found(name, group));
    } else if (request.method === 'POST') {
      let body: Record<string, unknown>;
      try {
        body = jsonBody(request) as Record<string, unknown>;
      } catch {
        throw validation('Malformed request body.');
      }
      return {
        ScheduleArn: this.create(
          { ...(body as Omit<CreateScheduleInput, 'Name'>), Name: name },
          { fromApi: 'CreateSchedule' },
        ),
      };
    } else if (request.method === 'PUT') {
      let body: Record<string, unknown>;
      try {
        body = jsonBody(request) as Record<string, unknown>;
      } catch {
        throw validation('Malformed request body.');
      }
      return { ScheduleArn: this.update({ ...(body as Omit<CreateScheduleInput, 'Name'>), Name: name }) };
    } else if (request.method === 'DELETE') {
      this.found(name, group);
      this.delete(name, group);
      return {};
    }
    throw new AwsError(
      'UnknownOperationException',
      `The local Scheduler does not answer ${request.method} ${request.path}.`,
      404,
    );
  }

  private found(name: string, group: string): Schedule {
    const schedule = this.get(name, group);
    if (!schedule) throw notFound(`Schedule ${name} does not exist.`);
    return schedule;
  }

  private describe(s: Schedule) {
    return {
      Arn: s.arn,
      Name: s.name,
      GroupName: s.groupName,
      ScheduleExpression: s.scheduleExpression,
      ScheduleExpressionTimezone: s.scheduleExpressionTimezone,
      StartDate: epochSeconds(s.startDate),
      EndDate: epochSeconds(s.endDate),
      Description: s.description,
      State: s.state,
      CreationDate: epochSeconds(s.creationDate),
      LastModificationDate: epochSeconds(s.lastModificationDate),
      KmsKeyArn: s.kmsKeyArn,
      Target: s.target,
      FlexibleTimeWindow: s.flexibleTimeWindow,
      ActionAfterCompletion: s.actionAfterCompletion,
    };
  }

  private listSchedules(query: URLSearchParams) {
    const group = query.get('ScheduleGroup');
    const prefix = query.get('NamePrefix') ?? '';
    const state = query.get('State');
    const all = this.list()
      .filter(
        (s) =>
          (group === null || s.groupName === group) &&
          s.name.startsWith(prefix) &&
          (state === null || s.state === state),
      )
      .sort((a, b) => a.arn.localeCompare(b.arn));
    const start = Number(query.get('NextToken') ?? 0);
    const max = Number(query.get('MaxResults') ?? 100);
    const page = all.slice(start, start + max);
    return {
      Schedules: page.map((s) => ({
        Arn: s.arn,
        Name: s.name,
        GroupName: s.groupName,
        State: s.state,
        CreationDate: epochSeconds(s.creationDate),
        LastModificationDate: epochSeconds(s.lastModificationDate),
        Target: { Arn: s.target.Arn },
      })),
      ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
    };
  }
}
