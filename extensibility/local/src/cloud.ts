// The local cloud: the edge with every service behind it, wired together. `presso up` starts it;
// tests start it on an ephemeral port with a time scale.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminRoutes } from './admin/routes.js';
import { usageOf } from './admin/usage.js';
import { DEFAULT_ACCOUNT, parseArn, type Account } from './arn.js';
import { DEFAULT_EDGE_HOST, DEFAULT_EDGE_PORT, startEdge, type Edge } from './edge/server.js';
import { DeliveryError } from './services/events/delivery.js';
import { EventsService } from './services/events/service.js';
import { LambdaService } from './services/lambda/service.js';
import type { WorkerFunction } from './services/lambda/runtime/index.js';
import { SchedulerService } from './services/scheduler/service.js';
import { registerSchedulerTargets } from './services/scheduler/targets.js';
import { SfnApiError, StepFunctionsEngine, type StateMachineType } from './services/states/engine/index.js';
import { StatesService } from './services/states/service.js';
import { Stacks } from './stacks/stacks.js';
import { KeySchemasStore } from './services/dynamodb/key-schemas-store.js';
import { HttpApisService } from './services/apis/service.js';
import { LocalIssuer } from './services/apis/issuer.js';
import { apiHandler, API_TYPES, executeApiArn } from './stacks/resources/apis.js';
import { apiGatewayV2Handlers } from './stacks/resources/apigatewayv2.js';
import {
  userPoolClientHandler,
  userPoolDomainHandler,
  userPoolGroupHandler,
  userPoolHandler,
} from './stacks/resources/cognito.js';
import { CognitoIdentityProviderService } from './services/cognito/api.js';
import { localDomainUrls, UserPoolDomainService } from './services/cognito/domain-service.js';
import { OAuthServer } from './services/cognito/oauth.js';
import { CognitoMessages, CognitoMessagesRoute } from './services/cognito/messages.js';
import { persistGrants } from './services/cognito/grants-store.js';
import { persistGroups } from './services/cognito/groups-store.js';
import { UserDirectory } from './services/cognito/users.js';
import { persistUsers } from './services/cognito/users-store.js';
import { functionHandler } from './stacks/resources/functions.js';
import { scheduleHandler } from './stacks/resources/schedules.js';
import { stateMachineHandler } from './stacks/resources/state-machines.js';
import { CloudFormationResponses, customResourceHandler } from './stacks/resources/custom-resources.js';
import { ExecutionJournal, persistApiStateMachines } from './services/states/journal.js';
import { AsyncStore } from './services/lambda/async-store.js';
import { CheckpointStore } from './services/dynamodb/checkpoints-store.js';
import { ScheduleStore } from './services/events/schedule-store.js';
import { createLocalTaskRunner } from './services/states/tasks.js';
import { checkJava } from './services/dynamodb/java.js';
import { refuseInUnitTests } from './test-level.js';
import { DynamoDbService } from './services/dynamodb/service.js';
import { StreamPollers } from './services/dynamodb/stream-pollers.js';
import { tableHandler } from './stacks/resources/tables.js';
import {
  eventSourceMappingHandler,
  samStreamEvents,
  type StreamMappingDeps,
} from './stacks/resources/stream-mappings.js';
import { timeScale, type TimeScale } from './time.js';
import { EventApisService } from './services/appsync/service.js';
import { RealtimeServer, type RealtimeOptions } from './services/appsync/realtime.js';
import type { IamCheck } from './services/appsync/auth.js';
import { localAppSyncUrls } from './services/appsync/urls.js';
import { apiKeyHandler, channelNamespaceHandler, eventApiHandler } from './stacks/resources/appsync.js';
import { SqsService } from './services/sqs/service.js';
import { SqsEdge } from './services/sqs/protocol.js';
import { SqsPollers } from './services/sqs/pollers.js';
import { AsyncInvoker } from './services/lambda/async.js';
import { Alarms } from './services/cloudwatch/alarms.js';
import { alarmHandler } from './stacks/resources/alarms.js';
import { queueHandler, queuePolicyHandler, samSqsEvents, type SqsMappingDeps } from './stacks/resources/queues.js';
import { Iam, type IamMode } from './iam/iam.js';
import { IamRoutes } from './iam/routes.js';
import { taskAuthorizer } from './iam/tasks.js';
import {
  APIGATEWAY_PRINCIPAL,
  deadLetterRefusal,
  executionRoleRefusal,
  ruleTargetAuthorizer,
  SCHEDULER_PRINCIPAL,
  scheduleRefusal,
} from './iam/deliveries.js';
import {
  eventBusPolicyHandler,
  iamPolicyHandler,
  iamRoleHandler,
  lambdaPermissionHandler,
} from './stacks/resources/iam.js';
import { dynamoDbAuthorizer } from './services/dynamodb/iam.js';
import { eventsAuthorizer } from './services/events/iam.js';
import { statesAuthorizer } from './services/states/iam.js';
import { lambdaAuthorizer } from './services/lambda/iam.js';
import { schedulerAuthorizer } from './services/scheduler/iam.js';
import { sqsAuthorizer } from './services/sqs/iam.js';
import { appsyncIamCheck } from './services/appsync/iam.js';
import { cognitoAuthorizer } from './services/cognito/iam.js';

export interface LocalCloudOptions {
  host?: string;
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /**
   * Durable state (event archive, DynamoDB tables under <dataDir>/dynamodb, ...); a fresh temporary
   * directory when omitted, and then DynamoDB keeps its tables in memory.
   */
  dataDir?: string;
  /** Time scale: waits, timeouts and retry intervals are divided by it. */
  speed?: number;
  /**
   * With a data dir: flush each record of a running execution's journal to the disk (fdatasync)
   * before the execution goes on, so it survives a crash of the machine too (a crash of the process
   * loses nothing either way). Costs a disk flush per history event.
   */
  journalSync?: boolean;
  account?: Account;
  /** PutEvents request size limit in bytes. */
  eventsRequestSizeLimit?: number;
  /** Closed Step Functions executions each state machine keeps (default STANDARD 10,000, EXPRESS 1,000). */
  retainClosedExecutions?: Partial<Record<StateMachineType, number>>;
  /**
   * IAM: `enforce` (default) refuses a role's call its policies do not allow, `audit` answers it and
   * logs the denial, `off` checks nothing (every request is the administrator's).
   */
  iam?: IamMode;
  log?: (line: string) => void;
  /** AppSync Events' WebSocket timeouts (connection_ack's connectionTimeoutMs, the `ka` interval); tests shorten them. */
  appsync?: Pick<RealtimeOptions, 'connectionTimeoutMs' | 'keepAliveIntervalMs'> & {
    /** IAM enforcement for SigV4-signed requests (action and resource from iamRequestOf); default: allowed. */
    iam?: IamCheck;
  };
}

/** Step Functions executions that were running when the local cloud last stopped (with a data dir). */
export interface ResumeReport {
  /** The ARNs of the executions that resumed so far. */
  resumed: string[];
  /** Executions that were running and could not resume (Express ones): failed at start. */
  failed: number;
  /** Records of journals cut short by a crash, skipped. */
  tornRecords: number;
  /** Executions waiting to resume: their state machine's stack is not deployed again yet. */
  held(): number;
  /** Event deliveries (event, rule, target) accepted before the restart and started again. */
  deliveries: number;
  /** Those waiting for their rule or target (its stack not deployed again yet). */
  heldDeliveries(): number;
  /** Lambda asynchronous invocations (queued or waiting for a retry) kept from before the restart that went on. */
  invocations(): number;
  /** Those waiting for their function (its stack not deployed again yet). */
  heldInvocations(): number;
  /** Stream event source mappings that went on from the per-shard checkpoints kept before the restart. */
  mappings(): number;
  /** Schedules (rules' and Scheduler's) that went on with the times kept before the restart. */
  schedules(): number;
  /** SQS messages kept from before the restart that are in their queues again. */
  messages(): number;
  /** EventBridge rules made through the API before the restart that are back. */
  rules(): number;
  /** Those waiting for their queue (its stack not deployed again yet). */
  heldMessages(): number;
}

export interface LocalCloud {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly account: Account;
  readonly time: TimeScale;
  readonly edge: Edge;
  readonly events: EventsService;
  readonly lambda: LambdaService;
  readonly states: StatesService;
  /** EventBridge Scheduler: schedules from ScheduleV2 events and AWS::Scheduler::Schedule, its REST API on the edge. */
  readonly scheduler: SchedulerService;
  /** DynamoDB and DynamoDB Streams (DynamoDB Local behind the edge); started on first use or by start(). */
  readonly dynamodb: DynamoDbService;
  /** Event source mappings from DynamoDB streams to functions. */
  readonly streamPollers: StreamPollers;
  /** What the functions handler calls for a SAM `Type: DynamoDB` event: starts the mapping, resolves with its undo. */
  readonly streams: ReturnType<typeof samStreamEvents>;
  /** SQS queues (standard and FIFO), both wire protocols on the edge. */
  readonly sqs: SqsService;
  /** Event source mappings from queues to functions. */
  readonly sqsPollers: SqsPollers;
  /** CloudWatch alarms from templates, evaluated on queue metrics. */
  readonly alarms: Alarms;
  /** Apps deployed from their SAM templates, one stack each. */
  readonly stacks: Stacks;
  /** HTTP and REST APIs under <edge>/apis/<apiId>/[<stage>/], with JWT and Cognito authorizers against the local issuer. */
  readonly apis: HttpApisService;
  /** Signs tokens for the local issuer and for every user pool deployed (issuer.pools). */
  readonly issuer: LocalIssuer;
  /** AppSync Events APIs: HTTP publish under <edge>/appsync/<apiId>/event, and their WebSocket endpoint. */
  readonly appsync: EventApisService;
  /** The AppSync Events WebSocket endpoint (<edge>/appsync/<apiId>/event/realtime). */
  readonly realtime: RealtimeServer;
  /** The users of the user pools (sign-up, groups); on disk in <dataDir>/cognito/users.json with --data-dir. */
  readonly users: UserDirectory;
  /** The OAuth 2.0 endpoints of user pool domains (<edge>/auth/<domain>/...); refresh tokens and sessions in <dataDir>/cognito/grants.json with --data-dir. */
  readonly oauth: OAuthServer;
  /** Roles, credentials and the authorization of every signed call (`iam.report()`, `iam.mode`). */
  readonly iam: Iam;
  /** Environment that points the AWS SDK (and aws CLI) at this cloud. */
  clientEnv(): Record<string, string>;
  /** What of the Step Functions executions running at the last stop resumed (with --data-dir). */
  readonly resumption: ResumeReport;
  close(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const account = options.account ?? DEFAULT_ACCOUNT;
  const time = timeScale(options.speed ?? 1);
  const log = options.log ?? ((line: string) => console.log(line));
  refuseInUnitTests('Starting a local cloud');
  // DynamoDB Local needs Java: say what to install before anything starts.
  await checkJava();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'presso-'));
  // Tables live on disk only in a data directory the user chose; otherwise in memory.
  const dynamodb = new DynamoDbService({
    account,
    log,
    ...(options.dataDir ? { dbPath: join(dataDir, 'dynamodb') } : {}),
  });
  const events = new EventsService({
    account,
    time,
    dataDir,
    log,
    ...(options.eventsRequestSizeLimit ? { requestSizeLimit: options.eventsRequestSizeLimit } : {}),
  });
  const lambda = new LambdaService();
  const iam = new Iam(account, { mode: options.iam ?? 'enforce', log });
  // dynamodb:LeadingKeys needs each table's partition key: the table handler says it at deploy.
  const partitionKeys = new Map<string, string | undefined>();
  // ... and so does CreateTable, for a table made through the API.
  // With --data-dir they are kept (DynamoDB Local keeps the tables there): back at start.
  const keySchemas = options.dataDir
    ? new KeySchemasStore(join(dataDir, 'tables', 'key-schemas.json'), log)
    : undefined;
  for (const [table, key] of keySchemas?.restored() ?? []) partitionKeys.set(table, key);
  dynamodb.onKeySchema = (table, key) => {
    keySchemas?.save(table, key, key === undefined ? 'DeleteTable' : 'CreateTable');
    partitionKeys.set(table, key);
  };
  // Rules deliver to functions asynchronously, as Lambda's Event invocation does.
  events.delivery.registerInvoker('lambda', async (arn, input, _event, rule) => {
    const fn = lambda.get(arn);
    if (!fn) throw new DeliveryError('ResourceNotFoundException', `Function not found: ${arn}`, false);
    // EventBridge invokes with the function's resource policy only (an AWS::Lambda::Permission for
    // events.amazonaws.com, SAM generates it for a function's rule events); without it the event is
    // not retried but goes to the dead-letter queue with NO_PERMISSIONS, as in AWS.
    const refusal = iam.serviceRefusal('events.amazonaws.com', {
      action: 'lambda:InvokeFunction',
      resource: fn.arn,
      context: { 'aws:sourcearn': rule.arn, 'aws:sourceaccount': account.accountId },
    });
    if (refusal) throw new DeliveryError('NO_PERMISSIONS', refusal, false);
    // A function with a DLQ or OnFailure destination takes its failures there, as Lambda does
    // once it accepted the event; without one, the rule's retries and DeadLetterConfig apply. The
    // delivery ends when Lambda has accepted the event if its queue of asynchronous invocations is
    // on disk (--data-dir), else when Lambda is done with it (its retries included), so that a crash
    // before then delivers the event again.
    if (lambda.asyncInvoker?.hasFailureDestination(fn.name) || lambda.asyncInvoker?.config(fn.name)?.onSuccess) {
      const done = lambda.asyncInvoker.invoke(fn, input);
      return lambda.asyncInvoker.durable ? undefined : done;
    }
    const result = await fn.invoke(input);
    if (!result.ok) throw new DeliveryError(result.error.errorType, result.error.errorMessage, true, true);
  });
  // The runner reaches the service late: the service needs the engine, the engine the runner.
  const taskRunner = createLocalTaskRunner({
    events,
    lambda,
    states: () => states,
    dynamodb,
    authorize: (resource, input, ctx) => authorizeTask(resource, input, ctx),
  });
  const engine = new StepFunctionsEngine({
    taskRunner,
    speed: time.speed,
    region: account.region,
    accountId: account.accountId,
    ...(options.retainClosedExecutions ? { retainClosed: options.retainClosedExecutions } : {}),
  });
  const states = new StatesService(engine, account, taskRunner.checkResource);
  // Task states act with their state machine's role (late-bound: the engine answers task tokens).
  const authorizeTask = taskAuthorizer(
    account,
    iam,
    (token) => engine.stateMachineOfToken(token),
    (table) => partitionKeys.get(table),
  );
  iam.registerAuthorizer(events.name, eventsAuthorizer(account));
  iam.registerAuthorizer(lambda.name, lambdaAuthorizer(account));
  iam.registerAuthorizer(
    states.name,
    statesAuthorizer(account, (token) => engine.stateMachineOfToken(token)),
  );
  iam.registerAuthorizer(
    dynamodb.name,
    dynamoDbAuthorizer(account, (table) => partitionKeys.get(table)),
  );
  // State machines made through the API and executions outlive a restart only when the data is the user's own (--data-dir).
  let journal: ExecutionJournal | undefined;
  if (options.dataDir) {
    const machinesFile = join(dataDir, 'states', 'state-machines.json');
    for (const { name, reason } of persistApiStateMachines(states, machinesFile)) {
      log(
        `[states] the state machine ${name} in ${machinesFile} was not restored (it stays in the file until one of that name is created again): ${reason}`,
      );
    }
    journal = ExecutionJournal.open(engine, join(dataDir, 'states', 'executions.jsonl'), {
      log,
      ...(options.journalSync ? { sync: true } : {}),
    });
  }
  // Executions that were running resume once what they act on is back: at once for a state machine
  // made through the API (restored above), after its stack's deploy for a stack's (its role, its
  // rules and functions are deployed again by then).
  const resumption: ResumeReport = {
    resumed: [],
    failed: journal?.report.failed ?? 0,
    tornRecords: journal?.report.tornRecords ?? 0,
    held: () => engine.heldExecutions().length,
    deliveries: 0,
    heldDeliveries: () => events.pendingRedeliveries,
    messages: () => 0,
    heldMessages: () => 0,
    rules: () => 0,
    invocations: () => 0,
    heldInvocations: () => 0,
    mappings: () => 0,
    schedules: () => 0,
  };
  const resume = (which: (stateMachineArn: string) => boolean): void => {
    const resumed = engine.resumeExecutions(which);
    if (resumed.length) log(`[states] resumed ${resumed.length} execution${resumed.length === 1 ? '' : 's'}`);
    resumption.resumed.push(...resumed);
  };
  resume((arn) => states.apiStateMachines().some((m) => m.arn === arn));
  // Event deliveries accepted and not ended go again once their rule is back (its stack deployed).
  if (options.dataDir) {
    events.persistDeliveries(join(dataDir, 'events', 'pending-deliveries.jsonl'));
    // Dead letters whose queue does not exist locally (`presso dlq`) are kept too.
    events.deadLetters.persist(join(dataDir, 'events', 'dead-letters.json'));
  }
  // A rule's state machine target starts an execution named by the event id, so a redelivered
  // event finds its execution already there instead of starting a second one.
  events.delivery.registerInvoker('states', async (arn, input, event) => {
    const stateMachine = states.stateMachine(arn);
    if (!stateMachine)
      throw new DeliveryError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`, false);
    try {
      engine.startExecution({ stateMachine, name: event.id, input: JSON.stringify(input ?? {}) });
    } catch (e) {
      if (e instanceof SfnApiError && e.code === 'ExecutionAlreadyExists') return;
      if (e instanceof SfnApiError) throw new DeliveryError(e.code, e.message, false);
      throw e;
    }
  });
  // EventBridge Scheduler invokes functions asynchronously and starts executions, on the time scale.
  const scheduler = new SchedulerService({ account, time, log });
  // Rules' schedules and Scheduler schedules keep their times over a restart (missed ones: see schedule-store.ts).
  const scheduleStore = options.dataDir ? new ScheduleStore(join(dataDir, 'schedules', 'times.jsonl'), log) : undefined;
  if (scheduleStore) {
    events.scheduleStore = scheduleStore;
    scheduler.store = scheduleStore;
    resumption.schedules = () => scheduleStore.resumed;
  }
  iam.registerAuthorizer(scheduler.name, schedulerAuthorizer(account));
  registerSchedulerTargets(scheduler, {
    lambda,
    states,
    engine,
    time,
    log,
    // Scheduler invokes the target with the schedule's role (SAM's ScheduleV2 generates it).
    authorize: (roleArn, targetArn) => scheduleRefusal(iam, roleArn, targetArn),
  });
  // Scheduler schedules made through the API come back (their times through the schedule store).
  if (options.dataDir) scheduler.persistSchedules(join(dataDir, 'scheduler', 'schedules.jsonl'));
  const sqs = new SqsService({ account, time, log });
  // Messages (with their receive counts and visibility) outlive a restart: a stack's queue finds its
  // messages when its deploy makes it again, a queue made with CreateQueue comes back at once.
  const sqsStore = options.dataDir ? sqs.persist(join(dataDir, 'sqs', 'messages.jsonl')) : undefined;
  if (sqsStore) {
    resumption.messages = () => sqsStore.restoredMessages;
    resumption.heldMessages = () => sqsStore.waitingMessages;
  }
  lambda.asyncInvoker = new AsyncInvoker({
    time,
    log,
    exists: (name) => lambda.get(name) !== undefined,
    sendToQueue: (queueArn, body, attributes, functionArn) => {
      sqs.markDeadLetterQueue(queueArn);
      if (!sqs.queueByArn(queueArn)) return false;
      // Lambda sends with the function's execution role: it needs sqs:SendMessage on the queue.
      const refused = executionRoleRefusal(iam, functionArn, queueArn);
      if (refused) return { refused };
      const typed =
        attributes &&
        Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
      return sqs.sendInternal(queueArn, body, typed) !== undefined;
    },
    // Lambda's invocation records go to a function's destinations with its execution role: a queue
    // (the record as the body), a function (invoked asynchronously with it), a bus (an event of source
    // lambda, detail-type "Lambda Function Invocation Result - Success|Failure", the record as detail).
    sendToDestination: (destination, record, functionArn, condition) => {
      const service = parseArn(destination)?.service;
      const target =
        service === 'sqs'
          ? sqs.queueByArn(destination)
          : service === 'lambda'
            ? lambda.get(destination)
            : service === 'events'
              ? (() => {
                  try {
                    return events.bus(destination);
                  } catch {
                    return undefined;
                  }
                })()
              : undefined;
      if (!target) return false;
      const refused = executionRoleRefusal(iam, functionArn, destination);
      if (refused) return { refused };
      if (service === 'sqs') {
        sqs.markDeadLetterQueue(destination);
        return sqs.sendInternal(destination, JSON.stringify(record)) !== undefined;
      }
      if (service === 'lambda') {
        const fn = lambda.get(destination)!;
        void lambda.asyncInvoker?.invoke(fn, record);
        return true;
      }
      events.putEntries([
        {
          Source: 'lambda',
          DetailType: `Lambda Function Invocation Result - ${condition === 'Success' ? 'Success' : 'Failure'}`,
          Detail: JSON.stringify(record),
          Resources: [destination, record.requestContext.functionArn],
          EventBusName: destination,
        },
      ]);
      return true;
    },
  });
  // Asynchronous invocations accepted and not done go on after a restart, once their function is back.
  const asyncStore = options.dataDir
    ? new AsyncStore(join(dataDir, 'lambda', 'async-invocations.jsonl'), log)
    : undefined;
  if (asyncStore) {
    const invoker = lambda.asyncInvoker;
    invoker.persist(asyncStore);
    resumption.invocations = () => invoker.resumed;
    resumption.heldInvocations = () => invoker.heldCount;
  }
  // Rules' dead letters go to the queue their DeadLetterConfig names when it exists (else the local
  // store), when its policy lets EventBridge send there for the rule, as AWS requires.
  events.delivery.registerDeadLetterSink((queueArn, body, attributes) => {
    if (!sqs.queueByArn(queueArn)) return false;
    const refused = deadLetterRefusal(iam, account, queueArn, attributes.RULE_ARN ?? '');
    if (refused) return { refused };
    const stringAttributes = Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    );
    sqs.markDeadLetterQueue(queueArn);
    return sqs.sendInternal(queueArn, body, stringAttributes) !== undefined;
  });
  // A schedule's failed invocation goes to its DeadLetterConfig queue, sent with the schedule's role
  // (it needs sqs:SendMessage there, as AWS documents).
  scheduler.deadLetterSink = (queueArn, body, attributes, roleArn) => {
    if (!sqs.queueByArn(queueArn)) return false;
    const refusal = iam.assumedRoleRefusal(SCHEDULER_PRINCIPAL, roleArn, {
      action: 'sqs:SendMessage',
      resource: queueArn,
    });
    if (refusal) return { refused: refusal.message };
    sqs.markDeadLetterQueue(queueArn);
    const typed = Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    );
    return sqs.sendInternal(queueArn, body, typed) !== undefined;
  };
  // A rule's targets other than functions act through their role or their resource policy, as in AWS.
  events.delivery.registerTargetAuthorizer(ruleTargetAuthorizer(iam, account));
  // Queue policies (the Policy attribute, AWS::SQS::QueuePolicy) are the queues' resource policies.
  sqs.onPolicy = (queueArn, policy) => {
    const statements = policy === undefined ? undefined : (JSON.parse(policy) as { Statement?: unknown }).Statement;
    iam.putResourcePolicy(queueArn, 'Policy', statements === undefined ? undefined : [statements].flat());
  };
  // Rules deliver to queues too: the input as the message body.
  events.delivery.registerInvoker('sqs', async (arn, input) => {
    const body = typeof input === 'string' ? input : JSON.stringify(input);
    if (!sqs.sendInternal(arn, body))
      throw new DeliveryError('ResourceNotFoundException', `Queue not found: ${arn}`, false);
  });
  // Buses, rules and targets made through the API come back (every target kind is known by now); the
  // calls on a stack's bus wait for its deploy. Deliveries pending for them go on.
  if (options.dataDir) {
    events.persistApiChanges(join(dataDir, 'events', 'api-changes.jsonl'));
    resumption.rules = () => events.restoredRules;
    resumption.deliveries += events.redeliverPending();
  }
  const started = Date.now();
  // The edge's URL is known only once it listens; the health route reads it from here.
  const where = { url: '' };
  const alarms = new Alarms({ queue: (name) => sqs.queueByArn(sqs.arnOf(name)), time, log });
  const admin = new AdminRoutes(
    events,
    () => stacks,
    () => ({
      url: where.url,
      dataDir,
      speed: time.speed,
      region: account.region,
      accountId: account.accountId,
      uptimeMs: Date.now() - started,
    }),
    alarms,
    sqs,
    {
      // Late-bound: the stream pollers are created below.
      destinations: () => [
        ...events
          .deadLetterTargets()
          .map((d) => ({ queueArn: d.queueArn, consumer: `${d.ruleArn} -> ${d.targetId}`, via: 'DeadLetterConfig' })),
        ...(lambda.asyncInvoker?.destinations() ?? []).map((d) => ({
          queueArn: d.queueArn,
          consumer: lambda.get(d.functionName)?.arn ?? d.functionName,
          via: d.via,
        })),
        ...streamPollers.list().flatMap((p) =>
          p.spec.onFailureDestination
            ? [
                {
                  queueArn: p.spec.onFailureDestination,
                  consumer: p.spec.functionArn,
                  via: `OnFailure of ${p.spec.streamArn}`,
                },
              ]
            : [],
        ),
      ],
      invoke: async (functionArn, payload) => {
        const fn = lambda.get(functionArn);
        if (!fn) throw new Error(`Function not found: ${functionArn}`);
        return fn.invoke(payload);
      },
      redriveStream: (record) => streamPollers.redrive(record),
    },
    // Late-bound: the APIs, AppSync and Cognito are created below.
    () =>
      usageOf({
        started,
        region: account.region,
        functions: () =>
          lambda.list().flatMap((fn) => {
            const worker = fn as Partial<WorkerFunction>;
            if (!worker.stats || !worker.options) return [];
            const s = worker.stats();
            return [
              {
                name: fn.name,
                memoryMb: worker.options.memoryMb,
                architecture: worker.options.architecture ?? 'x86_64',
                invocations: s.invocations,
                durationMs: Math.round(s.durationMs),
                billedMs: s.billedMs,
              },
            ];
          }),
        states: () => engine.stats(),
        busPuts: () => [...events.counters.buses.values()].reduce((sum, c) => sum + c.put, 0),
        detailTypes: () => Object.fromEntries(events.counters.detailTypes),
        consumedCapacity: () => dynamodb.consumedCapacity(),
        apiRequests: () => ({ ...apis.requests }),
        appsync: () => ({
          published: appsync.counters.published,
          delivered: appsync.counters.delivered,
          connectionMs: realtime.connectionMs(),
        }),
        sqsRequests: () =>
          Object.entries(edge.requests())
            .filter(([key]) => key.startsWith('AmazonSQS.') || key.startsWith('sqs '))
            .reduce((sum, [, n]) => sum + n, 0) +
          sqsPollers.list().reduce((sum, p) => sum + 2 * p.stats.invocations, 0),
        activeUsers: () => users.signedIn.size,
      }),
    {
      archive: events.archive,
      observeDeliveries: (observer) => events.delivery.observe(observer),
      observeExecutions: (listener) => engine.subscribe(listener),
      counters: events.counters,
      functions: () =>
        lambda.list().map((fn) => {
          const worker = fn as Partial<WorkerFunction>;
          return {
            name: fn.name,
            arn: fn.arn,
            invocations: worker.invocations?.() ?? [],
            logs: worker.logs?.().slice(-200) ?? [],
            ...(worker.stats ? { stats: worker.stats() } : {}),
          };
        }),
    },
  );
  const stacks = new Stacks(account, events, states, log);
  stacks.onDeployed(() => {
    events.replayHeldChanges();
    resume((arn) => states.stateMachine(arn) !== undefined);
    resumption.deliveries += events.redeliverPending();
    lambda.asyncInvoker?.resumeHeld((name) => lambda.get(name));
  });
  const stateMachines = stateMachineHandler(states, events, scheduler, iam);
  stacks.registerHandler('AWS::Serverless::StateMachine', stateMachines);
  stacks.registerHandler('AWS::StepFunctions::StateMachine', stateMachines);
  stacks.registerHandler('AWS::Scheduler::Schedule', scheduleHandler(scheduler));
  stacks.registerHandler('AWS::IAM::Role', iamRoleHandler(iam));
  stacks.registerHandler('AWS::IAM::Policy', iamPolicyHandler(iam));
  stacks.registerHandler('AWS::Lambda::Permission', lambdaPermissionHandler(iam, account));
  stacks.registerHandler('AWS::Events::EventBusPolicy', eventBusPolicyHandler(iam, account));
  const streamPollers = new StreamPollers({
    dynamodb,
    time,
    log,
    // A discarded batch's metadata goes to its mapping's OnFailure queue.
    onFailure: (destination, record) => {
      sqs.markDeadLetterQueue(destination);
      if (!sqs.queueByArn(destination)) return false;
      // Sent with the mapping's function's execution role, as Lambda does.
      const functionArn = String((record.requestContext as { functionArn?: unknown }).functionArn);
      const refused = executionRoleRefusal(iam, lambda.get(functionArn)?.arn ?? functionArn, destination);
      if (refused) return { refused };
      return sqs.sendInternal(destination, JSON.stringify(record)) !== undefined;
    },
    invoke: async (arn, event) => {
      const fn = lambda.get(arn);
      if (!fn)
        return {
          ok: false,
          error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${arn}` },
        };
      return fn.invoke(event);
    },
  });
  // Mappings deployed again go on from their per-shard checkpoints (DynamoDB Local keeps the streams in the data dir).
  if (options.dataDir) {
    const checkpoints = new CheckpointStore(join(dataDir, 'streams', 'checkpoints.jsonl'), log);
    streamPollers.persist(checkpoints);
    resumption.mappings = () => checkpoints.resumed;
  }
  const sqsPollers = new SqsPollers({
    sqs,
    time,
    log,
    invoke: async (arn, event) => {
      const fn = lambda.get(arn);
      if (!fn)
        return {
          ok: false,
          error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${arn}` },
        };
      return fn.invoke(event);
    },
  });
  const sqsMappingDeps: SqsMappingDeps = {
    sqs,
    pollers: sqsPollers,
    account,
    functionTimeout: (arn) => lambda.get(arn)?.timeoutSeconds,
    log,
  };
  // Which stack owns a queue (by the URL its resource's physical id is): a name another stack owns fails a deploy.
  const queueOwner = (name: string) =>
    stacks
      .list()
      .find((s) => s.resources.some((r) => r.type === 'AWS::SQS::Queue' && r.physicalId.endsWith(`/${name}`)))?.name;
  stacks.registerHandler('AWS::SQS::Queue', queueHandler(sqs, queueOwner));
  stacks.registerHandler('AWS::SQS::QueuePolicy', queuePolicyHandler(sqs));
  stacks.registerHandler('AWS::CloudWatch::Alarm', alarmHandler(alarms));
  const mappingDeps: StreamMappingDeps = {
    pollers: streamPollers,
    sqs: sqsMappingDeps,
    account,
    functionExists: (arn) => lambda.get(arn) !== undefined,
    log,
  };
  const streams = samStreamEvents(mappingDeps);
  const tables = tableHandler({ dynamodb, onKeySchema: (table, key) => partitionKeys.set(table, key) });
  stacks.registerHandler('AWS::DynamoDB::Table', tables);
  stacks.registerHandler('AWS::Serverless::SimpleTable', tables);
  stacks.registerHandler('AWS::Lambda::EventSourceMapping', eventSourceMappingHandler(mappingDeps));
  const functions = functionHandler({
    lambda,
    events,
    scheduler,
    log,
    clientEnv: () => clientEnv(),
    streams,
    // The same code reaches an Event API in AWS and here: its URLs in the environment point at the edge.
    localValue: (value) => stacks.localValue(value),
    sqsEvents: samSqsEvents(sqsMappingDeps),
    iam,
  });
  stacks.registerHandler('AWS::Serverless::Function', functions);
  stacks.registerHandler('AWS::Lambda::Function', functions);
  const responses = new CloudFormationResponses(() => where.url);
  stacks.registerHandler('AWS::CloudFormation::CustomResource', customResourceHandler({ lambda, responses }));
  const edge: Edge = await startEdge({
    host: options.host ?? DEFAULT_EDGE_HOST,
    port: options.port ?? DEFAULT_EDGE_PORT,
    services: [events, lambda, states, dynamodb, responses, scheduler, new IamRoutes(iam), admin],
    log,
    iam,
  });
  // The local cloud's own routes and the CloudFormation responses are no AWS API a role calls.
  for (const name of [responses.name, admin.name, 'presso-iam']) iam.registerAuthorizer(name, () => undefined);
  where.url = edge.url;
  // Queue URLs point at the edge: the SDK sends a request to its QueueUrl's host.
  sqs.endpoint = edge.url;
  stacks.sqsEndpoint = edge.url;
  const sqsEdge = new SqsEdge(sqs, log);
  edge.addService(sqsEdge);
  iam.registerAuthorizer(sqsEdge.name, sqsAuthorizer(account));
  // The issuer's URL is the edge's own, known once it listens. With the user's data directory its
  // signing key is kept there, so tokens issued before a restart still verify after it.
  const issuer = new LocalIssuer(
    `${edge.url}/_presso/issuer`,
    options.dataDir ? { keyFile: join(dataDir, 'issuer', 'signing-key.jwks.json') } : {},
  );
  await issuer.start();
  // Users, refresh tokens and sessions outlive a restart only when the data directory is the user's own (--data-dir).
  const save = { users: () => {}, grants: () => {} };
  const users = new UserDirectory({ onChange: () => save.users() });
  if (options.dataDir) save.users = persistUsers(users, join(dataDir, 'cognito', 'users.json'));
  const apis = new HttpApisService(lambda, issuer, users);
  apis.invokePermission = (functionArn, apiId, stage, method, routePath) =>
    iam.serviceRefusal(APIGATEWAY_PRINCIPAL, {
      action: 'lambda:InvokeFunction',
      resource: functionArn,
      context: {
        'aws:sourcearn': executeApiArn(account, apiId, stage, method, routePath),
        'aws:sourceaccount': account.accountId,
      },
    });
  edge.addService(apis);
  // API routes are invoked without SigV4 (AWS_IAM authorizers are not emulated): nothing to authorize.
  iam.registerAuthorizer(apis.name, () => undefined);
  // APIs answer under the edge, so their handler needs its URL; user pools are the issuer's.
  for (const type of API_TYPES) stacks.registerHandler(type, apiHandler(apis, edge.url, iam));
  // Plain HTTP APIs (no SAM): their routes' functions need the template's own AWS::Lambda::Permission.
  for (const [type, handler] of Object.entries(apiGatewayV2Handlers(apis))) stacks.registerHandler(type, handler);
  stacks.registerHandler('AWS::Cognito::UserPool', userPoolHandler(issuer.pools));
  stacks.registerHandler('AWS::Cognito::UserPoolClient', userPoolClientHandler(issuer.pools));
  stacks.registerHandler('AWS::Cognito::UserPoolGroup', userPoolGroupHandler(issuer.pools));
  // AppSync Events: HTTP publish is a path service, the realtime endpoint takes the edge's upgrades.
  // IAM-signed publishes and subscriptions are AppSync's to authorize (it answers in its own shape): the
  // edge leaves them to it, and it asks IAM about the role of the key (the edge checked the signature).
  const { iam: appsyncIam, ...realtimeOptions } = options.appsync ?? {};
  const appsync = new EventApisService({ issuer, log, iam: appsyncIam ?? appsyncIamCheck(iam) });
  iam.registerAuthorizer(appsync.name, () => undefined);
  edge.addService(appsync);
  const realtime = new RealtimeServer(appsync, { ...realtimeOptions, log });
  edge.onUpgrade((req, socket, head) => realtime.handleUpgrade(req, socket, head));
  stacks.registerHandler(
    'AWS::AppSync::Api',
    eventApiHandler(appsync, issuer.pools, () => edge.url),
  );
  stacks.registerHandler('AWS::AppSync::ApiKey', apiKeyHandler(appsync));
  stacks.registerHandler('AWS::AppSync::ChannelNamespace', channelNamespaceHandler(appsync));
  stacks.addLocalUrlRewriter((text) => localAppSyncUrls(text, edge.url));
  stacks.registerHandler('AWS::Cognito::UserPoolDomain', userPoolDomainHandler(issuer.pools, edge.url));
  const oauth = new OAuthServer({ pools: issuer.pools, users, issuer, time, onChange: () => save.grants() });
  if (options.dataDir) save.grants = persistGrants(oauth, join(dataDir, 'cognito', 'grants.json'));
  // What Cognito would email: printed, and kept for GET /_presso/cognito/messages (a local route, no IAM).
  const cognitoMessages = new CognitoMessages(log);
  const messagesRoute = new CognitoMessagesRoute(cognitoMessages);
  edge.addService(messagesRoute);
  iam.registerAuthorizer(messagesRoute.name, () => undefined);
  const domains = new UserPoolDomainService({ oauth, users, log, messages: cognitoMessages });
  edge.addService(domains);
  // The sign-in pages and OAuth endpoints are public (a browser calls them), as a user pool domain is.
  iam.registerAuthorizer(domains.name, () => undefined);
  const saveGroups = { now: () => {} };
  const cognito = new CognitoIdentityProviderService(issuer.pools, users, log, {
    messages: cognitoMessages,
    oauth,
    onChange: () => saveGroups.now(),
  });
  // Groups made with CreateGroup come back with their pool (its stack deployed again).
  if (options.dataDir) {
    saveGroups.now = persistGroups(cognito, join(dataDir, 'cognito', 'groups.json'));
    stacks.onDeployed(() => void cognito.restoreGroups());
  }
  edge.addService(cognito);
  iam.registerAuthorizer(cognito.name, cognitoAuthorizer(account));
  stacks.addLocalUrlRewriter((text) =>
    localDomainUrls(
      text,
      edge.url,
      issuer.pools.list().flatMap((p) => (p.domain ? [p.domain] : [])),
    ),
  );
  const clientEnv = () => ({
    AWS_ENDPOINT_URL: edge.url,
    AWS_REGION: account.region,
    AWS_DEFAULT_REGION: account.region,
    AWS_ACCESS_KEY_ID: 'presso',
    AWS_SECRET_ACCESS_KEY: 'presso',
  });
  const cloud: LocalCloud = {
    url: edge.url,
    port: edge.port,
    dataDir,
    account,
    time,
    edge,
    events,
    lambda,
    states,
    scheduler,
    dynamodb,
    sqs,
    sqsPollers,
    alarms,
    streamPollers,
    streams,
    stacks,
    apis,
    issuer,
    appsync,
    realtime,
    users,
    oauth,
    iam,
    clientEnv,
    resumption,
    async close() {
      realtime.close();
      await edge.close();
      // Pollers first: nothing invokes a function that is being disposed of.
      await streamPollers.stopAll();
      sqs.close();
      await sqsPollers.stopAll();
      alarms.close();
      // Before the functions go: an invocation they cut short stays pending on disk, not one attempt more.
      asyncStore?.close();
      lambda.asyncInvoker?.close();
      lambda.disposeAll();
      // Journaled as running (and restored as failed) rather than as aborted by the shutdown.
      journal?.close();
      engine.shutdown();
      scheduler.close();
      events.close();
      scheduleStore?.close();
      await dynamodb.close();
      // A data directory of its own (no dataDir given) is scratch: nothing of it is left behind.
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return cloud;
}
