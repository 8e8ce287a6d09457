// EventBridge on the edge (X-Amz-Target: AWSEvents.<Operation>): buses, rules, targets, PutEvents
// and TestEventPattern, with AWS's names for operations, errors and ARNs.
import { arns, nameFromNameOrArn, type Account } from '../../arn.js';
import { AwsError, notFound, validation } from '../../edge/errors.js';
import type { EdgeRequest, JsonService } from '../../edge/types.js';
import type { EntryDenial } from '../../iam/iam.js';
import type { TimeScale } from '../../time.js';
import { epochSeconds, required, str } from '../request.js';
import { EventArchive } from './archive.js';
import { PendingDeliveries, type PendingDelivery } from './pending.js';
import { Counters } from './counters.js';
import { DeadLetters } from './dead-letters.js';
import { Delivery, DeliveryError } from './delivery.js';
import type { Bus, EventEnvelope, Rule, Target, TargetDefinition } from './model.js';
import { compilePattern, InvalidEventPatternError } from './pattern/index.js';
import {
  buildEnvelope,
  checkRequest,
  DEFAULT_REQUEST_SIZE_LIMIT,
  type EntryResult,
  type PutEventsEntry,
} from './put-events.js';
import { compileTargetInput } from './transform.js';
import { ruleRecurrence, scheduledEvent, startSchedule } from './schedule.js';
import type { ScheduleStore } from './schedule-store.js';
import { API_CHANGES, busOf, EventsApiStore, type ApiChange } from './api-store.js';

/** Why an event was refused: a write to the data directory failed (a full disk). */
function notWritten(where: string, e: unknown): string {
  const error = e as NodeJS.ErrnoException;
  return `The local cloud could not write the event to ${where} (${error.code ?? error.message}), so it was not accepted and will not be delivered: free space on that disk and put it again.`;
}

export interface EventsServiceOptions {
  account: Account;
  time: TimeScale;
  /** Where the archive lives (JSON Lines per bus). */
  dataDir: string;
  /** PutEvents request size limit in bytes (AWS's current 1 MB by default). */
  requestSizeLimit?: number;
  log?: (line: string) => void;
}

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const MAX_TARGETS_PER_RULE = 5;

type Input = Record<string, unknown>;

export class EventsService implements JsonService {
  readonly name = 'events';
  readonly targetPrefixes = ['AWSEvents'];
  readonly jsonVersion = '1.1' as const;
  readonly buses = new Map<string, Bus>();
  readonly counters = new Counters();
  readonly deadLetters = new DeadLetters();
  readonly archive: EventArchive;
  readonly delivery: Delivery;
  private readonly account: Account;
  private readonly requestSizeLimit: number;
  private readonly log: (line: string) => void;
  private readonly time: TimeScale;
  /** How to stop each enabled schedule rule's timer, by rule ARN. */
  private readonly schedules = new Map<string, () => void>();

  constructor(options: EventsServiceOptions) {
    this.account = options.account;
    this.requestSizeLimit = options.requestSizeLimit ?? DEFAULT_REQUEST_SIZE_LIMIT;
    this.log = options.log ?? (() => {});
    this.time = options.time;
    this.archive = new EventArchive(options.dataDir);
    this.delivery = new Delivery(options.time, this.counters, this.deadLetters, this.log);
    this.createBus('default');
    // Another bus as a target: the event goes on to that bus's rules as it is.
    this.delivery.registerInvoker('events', async (arn, input) => {
      const bus = this.buses.get(nameFromNameOrArn(arn, '/'));
      if (!bus) throw new DeliveryError('ResourceNotFoundException', `Event bus ${arn} does not exist.`, false);
      const [refused] = this.dispatch(bus, [input as EventEnvelope]);
      if (refused) throw new DeliveryError('InternalFailure', refused.message, true);
    });
  }

  async handle(operation: string, input: Input, request: EdgeRequest): Promise<unknown> {
    // A change made through the API (the edge's request; a stack's calls have none) is written first;
    // one the call then refuses (validation) is marked void, so that it is not made again at start.
    const store = request !== undefined && API_CHANGES.has(operation) ? this.apiStore : undefined;
    if (!store) return this.operate(operation, input, request);
    store.write({ op: operation, input });
    try {
      return this.operate(operation, input, request);
    } catch (e) {
      store.refused();
      throw e;
    }
  }

  /** Makes one operation (synchronously: a change is made, or refused, before this returns). */
  private operate(operation: string, input: Input, request: EdgeRequest): unknown {
    switch (operation) {
      case 'CreateEventBus':
        return this.createEventBus(input);
      case 'DeleteEventBus':
        return this.deleteEventBus(input);
      case 'DescribeEventBus':
        return this.describeEventBus(input);
      case 'ListEventBuses':
        return this.listEventBuses(input);
      case 'PutRule':
        return this.putRule(input);
      case 'DeleteRule':
        return this.deleteRule(input);
      case 'DescribeRule':
        return this.describeRule(input);
      case 'ListRules':
        return this.listRules(input);
      case 'EnableRule':
        return this.setRuleState(input, 'ENABLED');
      case 'DisableRule':
        return this.setRuleState(input, 'DISABLED');
      case 'PutTargets':
        return this.putTargets(input);
      case 'RemoveTargets':
        return this.removeTargets(input);
      case 'ListTargetsByRule':
        return this.listTargetsByRule(input);
      case 'PutEvents':
        return this.putEvents(input, request.deniedEntries);
      case 'TestEventPattern':
        return this.testEventPattern(input);
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Operation ${operation} is not supported by the local EventBridge.`,
        );
    }
  }

  // ---- buses ----

  createBus(name: string, description?: string): Bus {
    const bus: Bus = {
      name,
      arn: arns.eventBus(this.account, name),
      creationTime: new Date(),
      rules: new Map(),
      ...(description ? { description } : {}),
    };
    this.buses.set(name, bus);
    return bus;
  }

  bus(nameOrArn: string | undefined): Bus {
    const name = nameOrArn ? nameFromNameOrArn(nameOrArn, '/') : 'default';
    const bus = this.buses.get(name);
    if (!bus) throw notFound(`Event bus ${name} does not exist.`);
    return bus;
  }

  private createEventBus(input: Input) {
    const name = required(input, 'Name');
    if (!BUS_NAME.test(name) || name === 'default') throw validation(`Event bus name ${name} is not valid.`);
    if (this.buses.has(name)) throw new AwsError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    return { EventBusArn: this.createBus(name, str(input, 'Description')).arn };
  }

  private deleteEventBus(input: Input) {
    const name = nameFromNameOrArn(required(input, 'Name'), '/');
    if (name === 'default') throw validation('Cannot delete event bus default.');
    this.buses.delete(name);
    return {};
  }

  private describeEventBus(input: Input) {
    const bus = this.bus(str(input, 'Name'));
    return {
      Name: bus.name,
      Arn: bus.arn,
      Description: bus.description,
      CreationTime: epochSeconds(bus.creationTime),
      LastModifiedTime: epochSeconds(bus.creationTime),
    };
  }

  private listEventBuses(input: Input) {
    const prefix = str(input, 'NamePrefix') ?? '';
    const buses = [...this.buses.values()]
      .filter((b) => b.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      EventBuses: buses.map((b) => ({
        Name: b.name,
        Arn: b.arn,
        Description: b.description,
        CreationTime: epochSeconds(b.creationTime),
      })),
    };
  }

  // ---- rules ----

  private rule(input: Input): Rule {
    const bus = this.bus(str(input, 'EventBusName'));
    const name = required(input, 'Name' in input ? 'Name' : 'Rule');
    const rule = bus.rules.get(name);
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  private putRule(input: Input) {
    const name = required(input, 'Name');
    if (!RULE_NAME.test(name))
      throw validation(
        `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
      );
    const bus = this.bus(str(input, 'EventBusName'));
    const eventPattern = str(input, 'EventPattern');
    const scheduleExpression = str(input, 'ScheduleExpression');
    if (!eventPattern && !scheduleExpression)
      throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    if (scheduleExpression && bus.name !== 'default')
      throw validation('ScheduleExpression is supported only on the default event bus.');
    if (scheduleExpression) ruleRecurrence(scheduleExpression);
    let pattern;
    if (eventPattern) {
      try {
        pattern = compilePattern(eventPattern);
      } catch (e) {
        if (e instanceof InvalidEventPatternError) throw new AwsError('InvalidEventPatternException', e.message);
        throw e;
      }
    }
    const state = (str(input, 'State') ?? 'ENABLED') as Rule['state'];
    if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(state))
      throw validation(`State ${state} is not valid.`);
    const existing = bus.rules.get(name);
    const rule: Rule = {
      name,
      busName: bus.name,
      arn: arns.rule(this.account, bus.name, name),
      state,
      createdBy: this.account.accountId,
      targets: existing?.targets ?? new Map(),
      ...(eventPattern ? { eventPattern, pattern } : {}),
      ...(scheduleExpression ? { scheduleExpression } : {}),
      ...(str(input, 'Description') ? { description: str(input, 'Description') } : {}),
      ...(str(input, 'RoleArn') ? { roleArn: str(input, 'RoleArn') } : {}),
    };
    bus.rules.set(name, rule);
    this.reschedule(rule);
    return { RuleArn: rule.arn };
  }

  private deleteRule(input: Input) {
    const bus = this.bus(str(input, 'EventBusName'));
    const rule = bus.rules.get(required(input, 'Name'));
    if (!rule) return {};
    if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
    bus.rules.delete(rule.name);
    this.unschedule(rule.arn);
    this.scheduleStore?.forget(rule.arn);
    return {};
  }

  private describeRuleOutput(rule: Rule) {
    return {
      Name: rule.name,
      Arn: rule.arn,
      EventPattern: rule.eventPattern,
      ScheduleExpression: rule.scheduleExpression,
      State: rule.state,
      Description: rule.description,
      RoleArn: rule.roleArn,
      EventBusName: rule.busName,
      CreatedBy: rule.createdBy,
    };
  }

  private describeRule(input: Input) {
    return this.describeRuleOutput(this.rule(input));
  }

  private listRules(input: Input) {
    const bus = this.bus(str(input, 'EventBusName'));
    const prefix = str(input, 'NamePrefix') ?? '';
    const rules = [...bus.rules.values()]
      .filter((r) => r.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const start = Number(str(input, 'NextToken') ?? 0);
    const limit = typeof input.Limit === 'number' ? input.Limit : 100;
    const page = rules.slice(start, start + limit);
    const next = start + limit < rules.length ? String(start + limit) : undefined;
    return { Rules: page.map((r) => this.describeRuleOutput(r)), ...(next ? { NextToken: next } : {}) };
  }

  private setRuleState(input: Input, state: 'ENABLED' | 'DISABLED') {
    const rule = this.rule(input);
    rule.state = state;
    this.reschedule(rule);
    return {};
  }

  /** Starts, restarts or stops a rule's schedule to match its expression and state. */
  private reschedule(rule: Rule): void {
    this.unschedule(rule.arn);
    if (!rule.scheduleExpression || rule.state === 'DISABLED') return;
    // The simulated clock starts now: a rate fires one period from now, a cron at its next time. A
    // schedule kept from before a restart (--data-dir) goes on with its times (a missed one is skipped:
    // a rule has no flexible time window).
    const expression = rule.scheduleExpression;
    const kept = this.scheduleStore?.get(rule.arn, expression);
    const anchor = kept?.anchor ?? Date.now();
    const stop = startSchedule(
      ruleRecurrence(expression, new Date(anchor)),
      this.time,
      (scheduled) => {
        const event = scheduledEvent(rule, this.account, scheduled);
        this.counters.rule(rule.arn).matched++;
        this.delivery.deliver(event, rule, Date.now());
      },
      (e) => this.log(`[events] ${rule.name}: schedule failed: ${(e as Error).message}`),
      {
        ...(kept ? { resume: kept } : {}),
        onHandled: (upTo) => this.scheduleStore?.save(rule.arn, { expression, anchor, upTo, wall: Date.now() }),
      },
    );
    this.schedules.set(rule.arn, stop);
  }

  private unschedule(ruleArn: string): void {
    this.schedules.get(ruleArn)?.();
    this.schedules.delete(ruleArn);
  }

  // ---- targets ----

  private putTargets(input: Input) {
    const rule = this.rule({ EventBusName: input.EventBusName, Rule: input.Rule });
    const targets = input.Targets;
    if (!Array.isArray(targets) || targets.length === 0)
      throw validation(
        "1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null",
      );
    const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
    const compiled = (targets as TargetDefinition[]).map((definition) => {
      if (typeof definition?.Id !== 'string' || typeof definition.Arn !== 'string')
        throw validation('Every target needs an Id and an Arn.');
      // EventBridge starts executions with the target's role only (AWS's text, whole call).
      if (definition.Arn.startsWith('arn:aws:states:') && !definition.RoleArn)
        throw validation(`RoleArn is required for target ${definition.Arn}.`);
      // Bad input (ambiguous or invalid input settings) fails the whole call, as in AWS.
      return { definition, render: compileTargetInput(definition) };
    });
    const newIds = compiled.filter((t) => !rule.targets.has(t.definition.Id)).length;
    if (rule.targets.size + newIds > MAX_TARGETS_PER_RULE) {
      throw new AwsError(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
      );
    }
    for (const target of compiled) {
      if (!this.delivery.supports(target.definition.Arn)) {
        failed.push({
          TargetId: target.definition.Id,
          ErrorCode: 'ValidationException',
          ErrorMessage: `Target ${target.definition.Arn} is not a target the local cloud delivers to (supported: ${this.delivery.supportedServices().join(', ')}).`,
        });
        continue;
      }
      rule.targets.set(target.definition.Id, target);
    }
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  private removeTargets(input: Input) {
    const rule = this.rule({ EventBusName: input.EventBusName, Rule: input.Rule });
    const ids = Array.isArray(input.Ids) ? (input.Ids as string[]) : [];
    for (const id of ids) rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private listTargetsByRule(input: Input) {
    const rule = this.rule({ EventBusName: input.EventBusName, Rule: input.Rule });
    return { Targets: [...rule.targets.values()].map((t) => t.definition) };
  }

  // ---- events ----

  /**
   * PutEvents from inside the local cloud (Step Functions' events:putEvents task): same checks and
   * dispatch; `denied` are the entries its role may not put (by index), failed as the edge's are.
   */
  putEntries(
    entries: PutEventsEntry[],
    denied?: ReadonlyMap<number, EntryDenial>,
  ): { FailedEntryCount: number; Entries: EntryResult[] } {
    return this.putEvents({ Entries: entries }, denied);
  }

  /** `denied`: the entries IAM refused one by one (by index), failed with their code and message. */
  private putEvents(input: Input, denied?: ReadonlyMap<number, EntryDenial>) {
    const entries = checkRequest(input.Entries, this.requestSizeLimit);
    const now = new Date();
    const results: EntryResult[] = [];
    const byBus = new Map<string, EventEnvelope[]>();
    /** Each event's place among the results: a write that fails fails its entry. */
    const placeOf = new Map<EventEnvelope, number>();
    for (const [index, entry] of entries.entries()) {
      const refused = denied?.get(index);
      if (refused) {
        results.push({ ErrorCode: refused.code, ErrorMessage: refused.message });
        continue;
      }
      const built = buildEnvelope(entry, this.account, now);
      if ('error' in built) {
        results.push(built.error);
        continue;
      }
      results.push({ EventId: built.envelope.id });
      const busName =
        typeof entry.EventBusName === 'string' && entry.EventBusName !== ''
          ? nameFromNameOrArn(entry.EventBusName, '/')
          : 'default';
      // Events to a bus that does not exist are accepted and dropped, as AWS does.
      if (!this.buses.has(busName)) continue;
      let list = byBus.get(busName);
      if (!list) byBus.set(busName, (list = []));
      list.push(built.envelope);
      placeOf.set(built.envelope, results.length - 1);
    }
    // A write to the data directory that fails (a full disk) refuses the events it was for: nothing
    // is acknowledged that was not written.
    const refuse = (event: EventEnvelope, message: string) => {
      results[placeOf.get(event)!] = { ErrorCode: 'InternalFailure', ErrorMessage: message };
    };
    for (const [busName, envelopes] of byBus) {
      try {
        this.archive.append(busName, envelopes);
      } catch (e) {
        const message = notWritten(this.archive.dir, e);
        this.log(`[events] ${message}`);
        for (const event of envelopes) refuse(event, message);
        continue;
      }
      this.counters.bus(busName).put += envelopes.length;
      for (const e of envelopes) this.counters.detailType(e['detail-type']);
      for (const { event, message } of this.dispatch(this.buses.get(busName)!, envelopes)) refuse(event, message);
    }
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /**
   * Matches events against a bus's enabled rules and starts delivery; returns at once, with the
   * events refused because their deliveries could not be written (a full disk; nothing delivered).
   */
  dispatch(bus: Bus, events: EventEnvelope[]): Array<{ event: EventEnvelope; message: string }> {
    const acceptedAt = Date.now();
    const refused: Array<{ event: EventEnvelope; message: string }> = [];
    for (const event of events) {
      const rules = [...bus.rules.values()].filter(
        (rule) => rule.state !== 'DISABLED' && rule.pattern && rule.pattern.matches(event),
      );
      const accepted: Rule[] = [];
      try {
        for (const rule of rules) {
          this.delivery.accept(event, rule, acceptedAt);
          accepted.push(rule);
        }
      } catch (e) {
        for (const rule of accepted) this.delivery.withdraw(event, rule);
        const message = notWritten(this.pendingFile ?? this.archive.dir, e);
        this.log(`[events] ${message}`);
        refused.push({ event, message });
        continue;
      }
      for (const rule of rules) {
        this.counters.rule(rule.arn).matched++;
        this.delivery.startAll(event, rule, acceptedAt);
      }
      if (rules.length) this.counters.bus(bus.name).matched++;
    }
    return refused;
  }

  private testEventPattern(input: Input) {
    const patternText = required(input, 'EventPattern');
    const eventText = required(input, 'Event');
    let pattern;
    try {
      pattern = compilePattern(patternText);
    } catch (e) {
      if (e instanceof InvalidEventPatternError) throw new AwsError('InvalidEventPatternException', e.message);
      throw e;
    }
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw validation('Parameter Event is not valid.');
    }
    const missing = ['id', 'account', 'source', 'time', 'region', 'detail-type'].filter(
      (k) => !(k in (event as object)),
    );
    if (missing.length > 0) throw validation(`Parameter Event is not valid. Reason: missing ${missing.join(', ')}.`);
    return { Result: pattern.matches(event) };
  }

  /** Redelivers a dead letter to its rule's target, if both still exist. */
  async redrive(id: string): Promise<boolean> {
    const letter = this.deadLetters.take(id);
    if (!letter) throw notFound(`Dead letter ${id} does not exist.`);
    const rule = this.buses.get(letter.busName)?.rules.get(letter.ruleName);
    const target = rule?.targets.get(letter.targetId);
    if (!rule || !target) {
      this.deadLetters.add({
        ...letter,
        errorCode: 'ResourceNotFoundException',
        errorMessage: `Rule ${letter.ruleName} or its target ${letter.targetId} no longer exists.`,
      });
      return false;
    }
    return this.delivery.deliverToTarget(letter.event, rule, target, Date.now());
  }

  /** Every rule target's dead-letter queue (DeadLetterConfig.Arn), with its rule and target. */
  deadLetterTargets(): Array<{ queueArn: string; ruleArn: string; targetId: string }> {
    const out = [];
    for (const bus of this.buses.values())
      for (const rule of bus.rules.values())
        for (const target of rule.targets.values()) {
          const arn = (target.definition.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn;
          if (typeof arn === 'string') out.push({ queueArn: arn, ruleArn: rule.arn, targetId: target.definition.Id });
        }
    return out;
  }

  /** A rule and one of its targets by their ARNs (a dead letter in a queue names them so). */
  ruleTarget(ruleArn: string, targetArn: string): { rule: Rule; target: Target } | undefined {
    for (const bus of this.buses.values())
      for (const rule of bus.rules.values()) {
        if (rule.arn !== ruleArn) continue;
        const target = [...rule.targets.values()].find((t) => t.definition.Arn === targetArn);
        return target && { rule, target };
      }
    return undefined;
  }

  /** Delivers an event again to a rule's target (a dead letter taken from a queue); false if it failed again. */
  async redriveEvent(event: EventEnvelope, ruleArn: string, targetArn: string): Promise<boolean> {
    const found = this.ruleTarget(ruleArn, targetArn);
    if (!found) throw notFound(`Rule ${ruleArn} or its target ${targetArn} no longer exists.`);
    return this.delivery.deliverToTarget(event, found.rule, found.target, Date.now());
  }

  private pendingJournal: PendingDeliveries | undefined;
  private pendingFile: string | undefined;
  /** With --data-dir: where schedule rules keep their times over a restart. */
  scheduleStore: ScheduleStore | undefined;
  /** Deliveries from before a restart not started again yet (their rule or target not there yet). */
  private toRedeliver: Array<{ delivery: PendingDelivery; targetId: string }> = [];

  /**
   * Keeps deliveries accepted and not ended in `file` (with --data-dir); what it held from before a
   * restart is delivered again by redeliverPending() once the rules are there. Returns how many.
   */
  persistDeliveries(file: string): number {
    this.pendingJournal = new PendingDeliveries(file);
    this.pendingFile = file;
    this.delivery.persist(this.pendingJournal);
    this.toRedeliver = this.pendingJournal.restored.flatMap((delivery) =>
      delivery.targets.map((targetId) => ({ delivery, targetId })),
    );
    return this.toRedeliver.length;
  }

  /** Starts delivering again what was accepted before a restart, to the rules and targets that exist now; returns how many. */
  redeliverPending(): number {
    let started = 0;
    this.toRedeliver = this.toRedeliver.filter(({ delivery, targetId }) => {
      const bus = this.buses.get(delivery.bus);
      const rule = bus && [...bus.rules.values()].find((r) => r.arn === delivery.ruleArn);
      const target = rule?.targets.get(targetId);
      if (!rule || !target) return true;
      this.delivery.redeliver(delivery.event, rule, target, delivery.acceptedAt);
      started++;
      return false;
    });
    if (started) this.log(`[events] delivering again ${started} delivery(ies) accepted before the restart`);
    return started;
  }

  /** Deliveries from before the restart still waiting for their rule or target. */
  get pendingRedeliveries(): number {
    return this.toRedeliver.length;
  }

  private apiStore: EventsApiStore | undefined;
  /** Calls from before the restart waiting for their bus (a stack's, not deployed again yet). */
  private heldChanges: ApiChange[] = [];
  /** Rules made through the API that are back after the restart (bus/name). */
  private readonly restored = new Set<string>();

  /** How many rules made through the API are back after the restart. */
  get restoredRules(): number {
    return this.restored.size;
  }

  /**
   * Keeps the buses, rules and targets made through the API in `file` (with --data-dir, see
   * api-store.ts) and makes again those made before the restart; calls on a bus not there yet wait
   * for replayHeldChanges() (after a deploy).
   */
  persistApiChanges(file: string): void {
    this.apiStore = new EventsApiStore(file, this.log);
    this.heldChanges = this.apiStore.restored;
    this.replayHeldChanges();
  }

  /** Makes again the calls from before the restart whose bus exists now, in order; returns how many. */
  replayHeldChanges(): number {
    const waiting = new Set<string>();
    const held: ApiChange[] = [];
    let made = 0;
    for (const change of this.heldChanges) {
      const bus = busOf(change);
      if (
        waiting.has(bus) ||
        (change.op !== 'CreateEventBus' && change.op !== 'DeleteEventBus' && !this.buses.has(bus))
      ) {
        waiting.add(bus);
        held.push(change);
        continue;
      }
      made++;
      this.handle(change.op, change.input, undefined as never).then(
        () => {
          const rule = `${bus}/${String(change.input.Name)}`;
          if (change.op === 'PutRule') this.restored.add(rule);
          else if (change.op === 'DeleteRule') this.restored.delete(rule);
        },
        (e: unknown) =>
          this.log(
            `[events] ${change.op} made through the API before the restart was not made again: ${(e as Error).message}`,
          ),
      );
    }
    this.heldChanges = held;
    return made;
  }

  /** Calls from before the restart still waiting for their bus. */
  get heldApiChanges(): number {
    return this.heldChanges.length;
  }

  close(): void {
    this.apiStore?.close();
    this.pendingJournal?.close();
    for (const arn of [...this.schedules.keys()]) this.unschedule(arn);
    this.archive.close();
  }
}
