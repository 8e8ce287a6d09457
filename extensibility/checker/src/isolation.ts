// Rule 3 (3.deploys-alone, 3.core-unchanged; and 2.emits-declared, which needs the run): on the local cloud with the core running, the extension deploys and deletes alone, and
// the core's tables and behaviour (its stack, rules and targets, state machines) are the same
// before and after. Everything goes through the real path: the deploy route `presso deploy` uses,
// and AWS SDK clients against the edge.
//
//   1. start a local cloud (ephemeral port, time scale) and deploy the core, as `presso up` would;
//   2. deploy the extension with its bus parameter pointing at a scratch bus, play there the
//      EventPlayer's whole recorded session (its gaps divided by the time scale) and the events of
//      the contract its rules match, compare every event it put with its declarations and the
//      contract, then delete it: only the extension reacts, and what it puts
//      stays on the scratch bus, so whatever changes in the core's tables (items included) or
//      configuration across its deploy, its handling and its delete, the extension did it directly.
//      This runs first, before the extension has touched anything: a deploy-time write (a custom
//      resource) that step 3 repeated would otherwise already be in the baseline. Without a bus
//      parameter it cannot run, which is a violation; so is work still running when time is up;
//   3. deploy it beside the core with its defaults (on the Serverlesspresso bus), then delete it:
//      deploying must change nothing of the core's configuration, and deleting must leave the cloud
//      as it was. The core's own schedules are paused for the whole check.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DisableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { BUS_NAME, contractEntryFor, validateEvent, type EventEnvelope } from '@serverlesspresso/catalog';
import { appAt, discoverApps, scanApp, stackNameOf, type App } from '@serverlesspresso/catalog/bus';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';
import { startLocalCloud, type Denial, type LocalCloud, type StackRecord } from '@serverlesspresso/local';
import { Names, readRaw } from './raw.js';
import type { CheckId } from './checks.js';
import { violationOf, type Violation, type Waived } from './violation.js';
import { applyWaivers, waiversOf } from './waivers.js';

export interface IsolationOptions {
  /** The repo whose core runs beside the extension. */
  root: string;
  /** Time scale of the local cloud (retries, waits) and of the session played to the extension; default 1000. */
  speed?: number;
  /**
   * The recorded session played to the extension (the EventPlayer's archive format); default the
   * root's extensibility/EventPlayer/archive/session.json, else this repo's.
   */
  session?: string;
  log?: (line: string) => void;
}

export interface IsolationReport {
  /** What fails, the template's waivers applied. */
  violations: Violation[];
  /** The template's waivers, each with the violations of rule 3 it set aside. */
  waived: Waived[];
  /** What was done and seen, for people: one line each. */
  notes: string[];
  /**
   * Step 2 ran: how many events the extension was handed on the scratch bus (the recorded session's
   * and the contract's examples its rules match), whether it was done with them in time, and how
   * many it put.
   */
  exercised?: { events: number; settled: boolean; put?: number };
}

/** Everything the local cloud holds, by identity, as JSON-comparable values. */
type Inventory = Map<string, string>;

interface Clients {
  cloud: LocalCloud;
  eb: EventBridgeClient;
  db: DynamoDBDocumentClient;
  sfn: SFNClient;
}

const stable = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

async function admin(
  cloud: LocalCloud,
  path: string,
  init?: RequestInit,
): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, cloud.url), init);
  return { ok: res.ok, body: (await res.json()) as Record<string, unknown> };
}

async function allItems(db: DynamoDBDocumentClient, table: string): Promise<string[]> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map(stable));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort();
}

/** The cloud's stacks, buses with their rules and targets, state machines and tables (with their items when asked). */
async function inventory({ cloud, eb, db, sfn }: Clients, withItems: boolean): Promise<Inventory> {
  const out: Inventory = new Map();
  const { stacks } = (await admin(cloud, '/_presso/stacks')).body as { stacks: StackRecord[] };
  for (const s of stacks)
    out.set(
      `stack ${s.name}`,
      stable({ status: s.status, resources: s.resources, outputs: s.outputs, parameters: s.parameters }),
    );
  for (const bus of (await eb.send(new ListEventBusesCommand({}))).EventBuses ?? []) {
    out.set(`bus ${bus.Name}`, stable({ name: bus.Name }));
    for (const rule of (await eb.send(new ListRulesCommand({ EventBusName: bus.Name }))).Rules ?? []) {
      const { Targets } = await eb.send(new ListTargetsByRuleCommand({ EventBusName: bus.Name, Rule: rule.Name }));
      out.set(
        `rule ${bus.Name}/${rule.Name}`,
        stable({ pattern: rule.EventPattern, schedule: rule.ScheduleExpression, state: rule.State, targets: Targets }),
      );
    }
  }
  for (const sm of (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []) {
    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: sm.stateMachineArn }));
    out.set(`state machine ${sm.name}`, stable({ definition: d.definition, type: d.type }));
  }
  for (const table of (await db.send(new ListTablesCommand({}))).TableNames ?? []) {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: table }));
    out.set(
      `table ${table}`,
      stable({
        keys: Table?.KeySchema,
        indexes: Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema]),
        ...(withItems ? { items: await allItems(db, table) } : {}),
      }),
    );
  }
  return out;
}

/** What differs in `after` for the keys of `before` (changed or gone), and what `after` has in addition. */
function diff(before: Inventory, after: Inventory): { changed: string[]; removed: string[]; added: string[] } {
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [key, value] of before) {
    if (!after.has(key)) removed.push(key);
    else if (after.get(key) !== value) changed.push(key);
  }
  return { changed, removed, added: [...after.keys()].filter((k) => !before.has(k)) };
}

/** A table's items before and after, in a few words. */
function itemsDelta(before: string, after: string): string {
  const items = (v: string) => new Set((JSON.parse(v) as { items: string[] }).items);
  const [b, a] = [items(before), items(after)];
  const added = [...a].filter((i) => !b.has(i)).length;
  const gone = [...b].filter((i) => !a.has(i)).length;
  return `${added} item(s) written, ${gone} item(s) overwritten or deleted`;
}

/**
 * Waits until every event put on the bus has been delivered to (or has failed at) every target of
 * every rule it matched, and no execution of the given state machines runs; false when time is up.
 */
async function settle(
  clients: Clients,
  buses: string[],
  stateMachines: string[],
  timeoutMs: number,
): Promise<{ settled: boolean; failed: number }> {
  const targets = new Map<string, number>();
  for (const bus of buses) {
    for (const rule of (await clients.eb.send(new ListRulesCommand({ EventBusName: bus }))).Rules ?? []) {
      targets.set(
        rule.Arn!,
        ((await clients.eb.send(new ListTargetsByRuleCommand({ EventBusName: bus, Rule: rule.Name }))).Targets ?? [])
          .length,
      );
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rules } = (await admin(clients.cloud, '/_presso/stats')).body as {
      rules: Record<string, { matched: number; delivered: number; failed: number }>;
    };
    const counts = [...targets].map(([arn, n]) => ({ n, c: rules[arn] ?? { matched: 0, delivered: 0, failed: 0 } }));
    const pending = counts.some(({ n, c }) => c.delivered + c.failed < c.matched * n);
    let running = false;
    for (const arn of stateMachines) {
      running ||=
        (
          (await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' })))
            .executions ?? []
        ).length > 0;
    }
    const failed = counts.reduce((sum, { c }) => sum + c.failed, 0);
    if (!pending && !running) return { settled: true, failed };
    if (Date.now() > deadline) return { settled: false, failed };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Every event the extension put on the scratch bus (everything there but the checker's own events)
 * against what it declares (Metadata.Emits of its functions, putEvents tasks of its state machines)
 * and the contract (its detail-type known, its detail valid): where a function putting more than it
 * declares, or putting it wrong, shows, which reading its code cannot tell. One violation per
 * detail-type and check.
 */
async function emissions(
  clients: Clients,
  app: App,
  bus: string,
  ours: Set<string>,
): Promise<{ put: number; violations: Violation[] }> {
  const text = await (await fetch(new URL(`/_presso/events?bus=${encodeURIComponent(bus)}`, clients.cloud.url))).text();
  const put = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EventEnvelope)
    .filter((e) => !ours.has(e.id));
  const declared = new Set(scanApp(app).producers.flatMap((p) => p.entries.map((e) => e.name)));
  const seen = new Set<string>();
  const violations: Violation[] = [];
  const where = { file: app.path, resource: '(functions and state machines)', property: 'Metadata.Emits' };
  for (const event of put) {
    const detailType = event['detail-type'];
    const entry = contractEntryFor(detailType);
    if (!seen.has(detailType)) {
      seen.add(detailType);
      if (!entry) {
        violations.push({
          id: '2.emits-contract-event',
          rule: 2,
          ...where,
          message: `put "${detailType}" on the bus, which is not a detail-type of the contract`,
          fix: 'put only events of the contract, or add the event to it (npx presso new-event)',
        });
      } else if (!declared.has(entry.name)) {
        violations.push({
          id: '2.emits-declared',
          rule: 2,
          ...where,
          message: `put "${detailType}" on the bus without declaring it`,
          fix: `add "${entry.detailType}" to Metadata.Emits of the function that puts it`,
        });
      }
    }
    if (!entry || seen.has(`invalid ${entry.name}`)) continue;
    const { errors } = validateEvent(event);
    if (errors.length === 0) continue;
    seen.add(`invalid ${entry.name}`);
    violations.push({
      id: '2.emits-valid',
      rule: 2,
      ...where,
      message: `put a "${detailType}" its schema refuses (${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}), e.g. ${JSON.stringify(event.detail)}`,
      fix: `put what extensibility/catalog/schemas/${entry.name}.json says: build the detail with its generated type (${entry.schema.title} from @serverlesspresso/catalog) and check it with validateEvent in a unit test`,
    });
  }
  return { put: put.length, violations };
}

/** The recorded session to play: the EventPlayer's archive, events in order of their offset. */
function sessionOf(
  options: IsolationOptions,
): { file: string; events: Array<{ offsetMs: number; event: EventEnvelope }> } | undefined {
  const relative = 'extensibility/EventPlayer/archive/session.json';
  const file = options.session ?? [join(options.root, relative), join(REPO_ROOT, relative)].find((f) => existsSync(f));
  if (!file) return undefined;
  const { events } = JSON.parse(readFileSync(file, 'utf8')) as {
    events: Array<{ offsetMs: number; event: EventEnvelope }>;
  };
  return { file, events: [...events].sort((a, b) => a.offsetMs - b.offsetMs) };
}

/**
 * Puts the entries on the bus at their offsets divided by the time scale (as the EventPlayer does at
 * that speed), up to 10 per call; the ids of the events put, and how many were refused.
 */
async function play(
  eb: EventBridgeClient,
  timed: Array<{ offsetMs: number; entry: PutEventsRequestEntry }>,
  speed: number,
): Promise<{ ids: string[]; refused: number }> {
  const ids: string[] = [];
  let refused = 0;
  const start = Date.now();
  for (let i = 0; i < timed.length;) {
    const wait = start + timed[i]!.offsetMs / speed - Date.now();
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
    const now = Date.now() - start;
    const batch: PutEventsRequestEntry[] = [];
    while (i < timed.length && batch.length < 10 && timed[i]!.offsetMs / speed <= now) batch.push(timed[i++]!.entry);
    if (batch.length === 0) continue; // woken a moment early
    const put = await eb.send(new PutEventsCommand({ Entries: batch }));
    refused += put.FailedEntryCount ?? 0;
    for (const e of put.Entries ?? []) if (e.EventId) ids.push(e.EventId);
  }
  return { ids, refused };
}

/** The core's schedules, paused: a tick of the core's own clock must not pass for the extension's doing. */
async function pauseSchedules(clients: Clients): Promise<number> {
  let paused = 0;
  for (const bus of (await clients.eb.send(new ListEventBusesCommand({}))).EventBuses ?? []) {
    for (const rule of (await clients.eb.send(new ListRulesCommand({ EventBusName: bus.Name }))).Rules ?? []) {
      if (rule.ScheduleExpression && rule.State === 'ENABLED') {
        await clients.eb.send(new DisableRuleCommand({ EventBusName: bus.Name, Name: rule.Name }));
        paused++;
      }
    }
  }
  return paused;
}

/**
 * A local cloud with the core deployed (its schedules paused), on which extensions are checked one
 * after another: each check compares the cloud with itself before that extension, so one that
 * leaves something behind does not spoil the next.
 */
export class IsolationBench {
  private constructor(
    private readonly options: IsolationOptions,
    private readonly clients: Clients,
    /** What was done to set the bench up. */
    readonly notes: string[],
  ) {}

  /** Starts a local cloud and deploys the core. Throws when the core does not deploy (not an extension's fault). */
  static async start(options: IsolationOptions): Promise<IsolationBench> {
    const cloud = await startLocalCloud({
      port: 0,
      speed: options.speed ?? 1000,
      iam: 'enforce',
      log: options.log ?? (() => {}),
    });
    const config = {
      endpoint: cloud.url,
      region: cloud.account.region,
      credentials: { accessKeyId: 'presso', secretAccessKey: 'check' },
    };
    const clients: Clients = {
      cloud,
      eb: new EventBridgeClient(config),
      db: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
      sfn: new SFNClient(config),
    };
    const bench = new IsolationBench(options, clients, []);
    try {
      const core = discoverApps(options.root).find((a) => a.kind === 'core');
      if (core) {
        const { ok, body } = await bench.deploy(core.dir, 'serverlesspresso-core');
        if (!ok)
          throw new Error(
            `the core does not deploy on the local cloud, so rule 3 cannot be checked: ${String(body.message)}`,
          );
        const paused = await pauseSchedules(clients);
        // A tick already on its way finishes before anything is compared.
        const buses = ((await clients.eb.send(new ListEventBusesCommand({}))).EventBuses ?? []).map((b) => b.Name!);
        if (!(await settle(clients, buses, [], 20_000)).settled)
          throw new Error(
            'the core keeps handling events after its schedules were paused, so rule 3 cannot compare it',
          );
        bench.notes.push(`deployed the core (${core.path})${paused ? `, its ${paused} schedule(s) paused` : ''}`);
      } else {
        await clients.eb.send(new CreateEventBusCommand({ Name: BUS_NAME }));
        bench.notes.push(`no core in this repo: checked beside the ${BUS_NAME} bus alone`);
      }
    } catch (e) {
      await bench.close();
      throw e;
    }
    return bench;
  }

  private deploy(path: string, stackName: string, parameterOverrides?: Record<string, string>) {
    return admin(this.clients.cloud, '/_presso/stacks', {
      method: 'POST',
      body: JSON.stringify({ path, stackName, ...(parameterOverrides ? { parameterOverrides } : {}) }),
    });
  }

  private remove(stackName: string) {
    return admin(this.clients.cloud, `/_presso/stacks/${encodeURIComponent(stackName)}`, { method: 'DELETE' });
  }

  /** Rule 3 on the extension in `dir`, the template's waivers applied (a malformed one is rules 1 and 2's to report). */
  async check(dir: string, options: { settleTimeoutMs?: number } = {}): Promise<IsolationReport> {
    const app: App = appAt(dir, this.options.root);
    const report = await this.run(app, options);
    const { violations, waived } = applyWaivers(
      report.violations,
      waiversOf(readRaw(app.templateFile), app.path).waivers,
      true,
    );
    return { ...report, violations, waived };
  }

  private async run(app: App, options: { settleTimeoutMs?: number }): Promise<Omit<IsolationReport, 'waived'>> {
    const violations: Violation[] = [];
    const notes: string[] = [...this.notes];
    const violate = (id: CheckId, resource: string, property: string, message: string, fix: string) =>
      violations.push(violationOf(id, { file: app.path, resource, property, message, fix }));
    const stackName = `${stackNameOf(app)}-check`;
    const timeoutMs = options.settleTimeoutMs ?? 20_000;
    // The cloud enforces IAM: whatever its roles are denied from here on is a rule 1 violation.
    const denialsBefore = this.clients.cloud.iam.denials.length;
    const report = await this.steps(app, stackName, timeoutMs, violations, notes, violate);
    violations.push(...runtimeDenials(app, stackName, this.clients.cloud.iam.denials.slice(denialsBefore)));
    return report;
  }

  private async steps(
    app: App,
    stackName: string,
    timeoutMs: number,
    violations: Violation[],
    notes: string[],
    violate: (id: CheckId, resource: string, property: string, message: string, fix: string) => void,
  ): Promise<Omit<IsolationReport, 'waived'>> {
    // 2. Alone on a scratch bus (first, while nothing of the extension has touched the cloud yet).
    const busParameter = [...new Names(readRaw(app.templateFile)).busParameters][0];
    let exercised: IsolationReport['exercised'];
    if (!busParameter) {
      violate(
        '3.deploys-alone',
        '(template)',
        'Parameters',
        `not exercised: the template names the bus without a parameter defaulting to ${BUS_NAME}, so rule 3 cannot run it apart from the core (its deploy, and its handling of events)`,
        `add a parameter EventBusName (Type: String, Default: ${BUS_NAME}) and name the bus with !Ref EventBusName everywhere (rules, EventBridgePutEventsPolicy, DefinitionSubstitutions)`,
      );
    } else {
      const alone = await this.alone(app, stackName, busParameter, timeoutMs, violations, notes);
      if (!alone) return { violations, notes };
      exercised = alone;
    }

    // 3. Beside the core, on the shared bus, with its defaults. What the extension puts on the bus may
    // make the core write its tables (a load generator does, by design): here only the core's
    // configuration counts; its items were compared across deploy, handling and delete in step 2.
    const { clients } = this;
    const before = await inventory(clients, false);
    const deployed = await this.deploy(app.dir, stackName);
    if (!deployed.ok) {
      violate(
        '3.deploys-alone',
        '(stack)',
        'deploy',
        `does not deploy alone beside the core: ${String(deployed.body.message)}`,
        'deploy it with `npx presso up core` and `npx presso deploy DIR` to see the failure; an extension needs nothing but the bus',
      );
      return { violations, notes, ...(exercised ? { exercised } : {}) };
    }
    notes.push(`deployed ${app.name} beside the core as stack ${stackName}`);
    const during = diff(before, await inventory(clients, false));
    for (const key of [...during.changed, ...during.removed]) {
      violate(
        '3.core-unchanged',
        key,
        'deploy',
        `deploying the extension changed the core's ${key}`,
        "create only resources of your own; never update or replace the core's",
      );
    }
    if ((await this.remove(stackName)).ok) notes.push(`deleted stack ${stackName}`);
    else
      violate(
        '3.deploys-alone',
        '(stack)',
        'delete',
        'the stack does not delete',
        'make every resource deletable (no DeletionPolicy: Retain)',
      );
    const afterDelete = diff(before, await inventory(clients, false));
    for (const key of afterDelete.added)
      violate(
        '3.deploys-alone',
        key,
        'delete',
        `${key} is left behind after the stack is deleted`,
        'create everything through the template, so that deleting the stack deletes it',
      );
    for (const key of [...afterDelete.changed, ...afterDelete.removed]) {
      violate(
        '3.core-unchanged',
        key,
        'delete',
        `the core's ${key} is not as it was before the extension was deployed`,
        "never write to the core's resources; react to its events instead",
      );
    }
    return { violations, notes, ...(exercised ? { exercised } : {}) };
  }

  /**
   * Step 2: the extension deployed with its bus parameter on a scratch bus, handed the events of the
   * contract its rules match there, then deleted. Only the extension reacts, and what it puts stays
   * on the scratch bus, so the core's tables (items included) and configuration must be the same
   * before its deploy, after it, after the events, and after its delete. Undefined when it does not
   * deploy (reported).
   */
  private async alone(
    app: App,
    stackName: string,
    busParameter: string,
    timeoutMs: number,
    violations: Violation[],
    notes: string[],
  ): Promise<IsolationReport['exercised'] | undefined> {
    const { clients } = this;
    const violate = (id: CheckId, resource: string, property: string, message: string, fix: string) =>
      violations.push(violationOf(id, { file: app.path, resource, property, message, fix }));
    const scratch = `PressoCheck-${randomUUID().slice(0, 8)}`;
    await clients.eb.send(new CreateEventBusCommand({ Name: scratch }));
    try {
      const pristine = await inventory(clients, true);
      /** The core's things (what the cloud held before the extension) that differ from `from` in `to`. */
      const coreChanges = (from: Inventory, to: Inventory) => {
        const d = diff(from, to);
        return { changed: d.changed.filter((k) => pristine.has(k)), removed: d.removed.filter((k) => pristine.has(k)) };
      };
      const report = (from: Inventory, to: Inventory, property: string, when: string, fix: string) => {
        const { changed, removed } = coreChanges(from, to);
        for (const key of changed)
          violate(
            '3.core-unchanged',
            key,
            property,
            `${when} the extension changed the core's ${key}${key.startsWith('table ') ? ` (${itemsDelta(from.get(key)!, to.get(key)!)})` : ''}`,
            fix,
          );
        for (const key of removed)
          violate('3.core-unchanged', key, property, `${when} the extension removed the core's ${key}`, fix);
      };
      const within = `${timeoutMs / 1000} s (at ${clients.cloud.time.speed}x)`;
      const bounded =
        'end the work each event (or the deploy) starts in bounded time: no endless retries, loops, or waits for something only the core would send';

      const exercised = await this.deploy(app.dir, stackName, { [busParameter]: scratch });
      if (!exercised.ok) {
        violate(
          '3.deploys-alone',
          '(stack)',
          'deploy',
          `does not deploy alone with ${busParameter}=${scratch} (a scratch bus): ${String(exercised.body.message)}`,
          `take the bus's name from the ${busParameter} parameter everywhere; an extension needs nothing but the bus`,
        );
        return undefined;
      }
      notes.push(`deployed ${app.name} alone on a scratch bus as stack ${stackName}`);
      const stack = exercised.body.stack as StackRecord;
      const machines = stack.resources.filter((r) => r.type.endsWith('StateMachine')).map((r) => r.physicalId);
      // What its deploy started (a custom resource, say) ends before the core is compared.
      if (!(await settle(clients, [scratch], machines, timeoutMs)).settled)
        violate(
          '3.deploys-alone',
          '(stack)',
          'deploy',
          `what its deploy started was still running ${within} later, so rule 3 cannot compare the core after it`,
          bounded,
        );
      const deployed = await inventory(clients, true);
      report(
        pristine,
        deployed,
        'deploy',
        'deploying',
        "write only to your own resources, at deploy time too (custom resources included); never update or replace the core's",
      );

      // The whole recorded session, at the time scale (an extension that acts only after several
      // events acts here), then the contract's events its rules match that a session may lack.
      const session = sessionOf(this.options);
      const matched = scanApp(app).rules.flatMap((r) => r.matches.map((m) => m.event));
      const entryOf = (e: EventEnvelope): PutEventsRequestEntry => ({
        EventBusName: scratch,
        Source: e.source,
        DetailType: e['detail-type'],
        Detail: JSON.stringify(e.detail),
      });
      const speed = clients.cloud.time.speed;
      const sessionEntries = (session?.events ?? []).map((e) => ({ offsetMs: e.offsetMs, entry: entryOf(e.event) }));
      const last = sessionEntries.at(-1)?.offsetMs ?? 0;
      const played = await play(
        clients.eb,
        [...sessionEntries, ...matched.map((e) => ({ offsetMs: last, entry: entryOf(e) }))],
        speed,
      );
      const ours = new Set(played.ids);
      if (played.refused) notes.push(`${played.refused} event(s) refused by PutEvents`);
      const { settled, failed } = await settle(clients, [scratch], machines, timeoutMs);
      const handed = sessionEntries.length + matched.length;
      notes.push(
        `put ${handed} event(s) on the scratch bus: the recorded session's ${sessionEntries.length}${session ? ` (${Math.round(last / 1000)} s of session at ${speed}x)` : ' (no session found)'} and ${matched.length} of the contract its rules match; ${settled ? 'handled' : 'still handling them when the time was up'}${failed ? `; ${failed} deliveries failed` : ''}`,
      );
      if (!settled)
        violate(
          '3.deploys-alone',
          '(stack)',
          'handling events',
          `still handling the events ${within} after they were put, so rule 3 cannot compare the core after them`,
          bounded,
        );
      const emitted = await emissions(clients, app, scratch, ours);
      violations.push(...emitted.violations);
      notes.push(`it put ${emitted.put} event(s), each compared with its declarations and the contract`);
      const busy = await inventory(clients, true);
      report(
        deployed,
        busy,
        'handling events',
        'while handling events',
        "write only to your own resources; learn the core's state from its events",
      );

      if ((await this.remove(stackName)).ok) notes.push(`deleted stack ${stackName}`);
      else
        violate(
          '3.deploys-alone',
          '(stack)',
          'delete',
          'the stack does not delete after handling events',
          'make every resource deletable (no DeletionPolicy: Retain)',
        );
      const gone = await inventory(clients, true);
      report(
        busy,
        gone,
        'delete',
        'deleting',
        'write only to your own resources, at delete time too (custom resources included)',
      );
      for (const key of diff(pristine, gone).added)
        violate(
          '3.deploys-alone',
          key,
          'delete',
          `${key} is left behind after the stack is deleted`,
          'create resources only through the template (not from the handler at run time)',
        );
      return { events: handed, settled, put: emitted.put };
    } finally {
      await clients.eb.send(new DeleteEventBusCommand({ Name: scratch })).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.clients.eb.destroy();
    this.clients.db.destroy();
    this.clients.sfn.destroy();
    await this.clients.cloud.close();
  }
}

/**
 * The calls the extension's roles were denied, each a rule 1 violation on its function or state
 * machine naming the statement to add (an implicit deny) or the one that denied it (explicit).
 */
function runtimeDenials(app: App, stackName: string, denials: readonly Denial[]): Violation[] {
  const seen = new Set<string>();
  const violations: Violation[] = [];
  for (const d of denials) {
    if (d.stack !== stackName) continue;
    const key = `${d.logicalId} ${d.action} ${d.resource}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const statement = { Effect: 'Allow', Action: d.action, Resource: d.resource };
    violations.push(
      violationOf('1.runtime-permissions', {
        file: app.path,
        resource: d.logicalId ?? d.role,
        property: 'Policies',
        message: `denied at run time: ${d.message}`,
        fix: d.deniedBy
          ? `remove or narrow the statement that denies it, ${d.deniedBy.statement}: ${JSON.stringify(d.deniedBy.document)}; or stop making the call`
          : `if the call is on your own resource, add the statement ${JSON.stringify(statement)} to its Policies (with !Ref / !GetAtt of your resource for the ARN); if it is not yours, stop making the call: react to the core's events instead`,
      }),
    );
  }
  return violations;
}

/** Rule 3 on one extension, on a local cloud of its own. */
export async function checkIsolation(
  dir: string,
  options: IsolationOptions & { settleTimeoutMs?: number },
): Promise<IsolationReport> {
  const bench = await IsolationBench.start(options);
  try {
    return await bench.check(dir, options);
  } finally {
    await bench.close();
  }
}
