// AWS::Serverless::Function and AWS::Lambda::Function with local code: built as `sam build` builds
// them (esbuild with the template's BuildProperties), run in sandboxes with the template's
// environment and the edge as endpoint, and their EventBridgeRule/Schedule, ScheduleV2 and DynamoDB
// events wired.
//
// A redeploy updates a function in place, as UpdateFunctionCode/UpdateFunctionConfiguration do: the
// same function (name, ARN) runs the new bundle or configuration from the next invocation on, while
// invocations in flight finish on the old code; an unchanged function is left alone, and so are its
// unchanged events (sam-events.ts). A rollback puts the previous bundle back (builds are immutable),
// not a rebuild of the source that failed.
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join, resolve } from 'node:path';
import type { EventsService } from '../../services/events/service.js';
import type { LambdaService } from '../../services/lambda/service.js';
import type { SchedulerService } from '../../services/scheduler/service.js';
import {
  BuildError,
  buildFunction,
  emulatedRuntime,
  pruneBuilds,
  unemulatedRuntime,
  workerFunction,
  type BuildMetadata,
  type BuiltFunction,
  type WorkerFunction,
  type WorkerFunctionOptions,
} from '../../services/lambda/runtime/index.js';
import type {
  LoadedResource,
  SamDynamoDbEvent,
  SamEvent,
  SamRuleEvent,
  SamScheduleEvent,
  SamSqsEvent,
} from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';
import { busName, samRule } from './events.js';
import { arns, parseArn } from '../../arn.js';
import { asyncFailureConfig } from '../../services/lambda/async.js';
import { SamEvents } from './sam-events.js';
import { samSchedule } from './schedules.js';
import { Iam } from '../../iam/iam.js';
import { putSamRole, samRoleName } from '../../iam/sam/roles.js';

export interface FunctionDeps {
  lambda: LambdaService;
  events: EventsService;
  /** ScheduleV2 events: EventBridge Scheduler schedules; without it they are reported as not emulated. */
  scheduler?: SchedulerService;
  /** AWS_ENDPOINT_URL, region and dummy credentials: what points the SDK at the edge. */
  clientEnv: () => Record<string, string>;
  /** Rewrites an environment value that points at AWS to its local equivalent (AppSync Events URLs). */
  localValue?: (value: string) => string;
  /** Roles: each function runs with the credentials of its (SAM generated) role; without it, the dummy ones. */
  iam?: Iam;
  log: (line: string) => void;
  /** Queues to functions (SQS events). */
  sqsEvents?: (
    event: SamSqsEvent,
    functionArn: string,
    logicalId: string,
    ctx: DeployContext,
  ) => Promise<() => Promise<void> | void>;
  /** Table streams to functions (DynamoDB events); absent when DynamoDB is off. */
  streams?: (
    event: SamDynamoDbEvent,
    functionArn: string,
    logicalId: string,
    ctx: DeployContext,
  ) => Promise<() => Promise<void> | void>;
}

/** Keys Lambda sets itself and refuses in a function's Environment. */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

/** Where a function's artifact goes: beside its code, in SAM's own (ignored) build folder. */
export const buildDirOf = (codeUri: string, stackName: string, logicalId: string) =>
  join(codeUri, '.aws-sam', 'presso', stackName, logicalId);

function codeOf(resource: LoadedResource, ctx: DeployContext): { codeUri: string; property: string } {
  const p = resource.properties;
  const property = p.CodeUri !== undefined ? 'CodeUri' : 'Code';
  const code = p.CodeUri ?? p.Code;
  if (typeof code !== 'string') {
    throw new DeployError(
      ctx.template.file,
      resource.logicalId,
      property,
      'only local code (a folder path relative to the template) is supported locally, not an S3 location or inline ZipFile',
    );
  }
  return { codeUri: resolve(ctx.templateDir, code), property };
}

function stringEnv(resource: LoadedResource, ctx: DeployContext): Record<string, string> {
  const vars =
    (resource.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const reserved = Object.keys(vars).filter((k) => RESERVED_ENVIRONMENT_KEYS.includes(k));
  if (reserved.length) {
    throw new DeployError(
      ctx.template.file,
      resource.logicalId,
      'Environment.Variables',
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function numberIn(
  resource: LoadedResource,
  ctx: DeployContext,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = resource.properties[key];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DeployError(
      ctx.template.file,
      resource.logicalId,
      key,
      `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** A deployed function as it is now. */
interface Deployed {
  fn: WorkerFunction;
  events: SamEvents;
  /** Its build folder (esbuild builds only), pruned of artifacts nothing uses. */
  outDir: string | undefined;
  /** The options it ran before its last update, and that update's deployment: what a rollback restores. */
  before?: WorkerFunctionOptions;
  changedIn?: number;
}

const arnOf = (resource: LoadedResource, ctx: DeployContext) =>
  `arn:aws:lambda:${ctx.template.region}:${ctx.template.accountId}:function:${resource.physicalId}`;

function outDirOf(resource: LoadedResource, ctx: DeployContext): string | undefined {
  if ((resource.metadata as BuildMetadata | undefined)?.BuildMethod !== 'esbuild') return undefined;
  return buildDirOf(codeOf(resource, ctx).codeUri, ctx.template.stackName, resource.logicalId);
}

export function functionHandler(deps: FunctionDeps): ResourceHandler {
  // Stacks calls prepare for every function of a stack at once, before anything is created, so
  // builds run in parallel; deploy takes the build prepare started.
  const builds = new Map<string, Promise<BuiltFunction>>();
  const buildKey = (ctx: DeployContext, resource: LoadedResource) => `${ctx.template.stackName}#${resource.logicalId}`;
  /** Every deployed function, by stack and logical id. */
  const deployed = new Map<string, Deployed>();

  /** The function's runtime, refused (DeployError) when the sandboxes cannot emulate it. */
  function runtimeOf(resource: LoadedResource, ctx: DeployContext): string {
    // Lambda needs a Runtime for code in a zip; locally the emulated one stands in for a missing one.
    const runtime = String(resource.properties.Runtime ?? emulatedRuntime);
    const refused = unemulatedRuntime(runtime);
    if (refused) throw new DeployError(ctx.template.file, resource.logicalId, 'Runtime', refused);
    return runtime;
  }

  function build(resource: LoadedResource, ctx: DeployContext): Promise<BuiltFunction> {
    // Before the build: a runtime that cannot run here is the first thing to say.
    runtimeOf(resource, ctx);
    const { codeUri, property } = codeOf(resource, ctx);
    const handler = resource.properties.Handler;
    if (typeof handler !== 'string')
      throw new DeployError(ctx.template.file, resource.logicalId, 'Handler', 'is required');
    return buildFunction({
      name: resource.physicalId,
      codeUri,
      handler,
      outDir: buildDirOf(codeUri, ctx.template.stackName, resource.logicalId),
      ...(resource.metadata ? { metadata: resource.metadata as BuildMetadata } : {}),
    }).catch((e: unknown) => {
      if (e instanceof BuildError)
        throw new DeployError(
          ctx.template.file,
          resource.logicalId,
          e.property === 'CodeUri' ? property : e.property,
          e.message,
        );
      throw e;
    });
  }

  /** The sandbox options the resource asks for, with the build prepare started; throws DeployError. */
  async function optionsOf(resource: LoadedResource, ctx: DeployContext): Promise<WorkerFunctionOptions> {
    const p = resource.properties;
    const name = resource.physicalId;
    const arn = arnOf(resource, ctx);
    const timeoutSeconds = numberIn(resource, ctx, 'Timeout', 3, 1, 900);
    const memoryMb = numberIn(resource, ctx, 'MemorySize', 128, 128, 10240);
    const localValue = deps.localValue ?? ((v: string) => v);
    const userEnv = Object.fromEntries(Object.entries(stringEnv(resource, ctx)).map(([k, v]) => [k, localValue(v)]));
    const key = buildKey(ctx, resource);
    const built = await (builds.get(key) ?? build(resource, ctx));
    builds.delete(key);
    const runtime = runtimeOf(resource, ctx);
    // As Lambda does, the sandbox gets its role's credentials (the role is created or updated here).
    const role = deps.iam ? putSamRole(deps.iam, resource, ctx, name) : undefined;
    // What Lambda sends with it (the dead-letter queue, destinations) is checked against it too.
    if (role) deps.iam?.actAs(arn, role.roleName, name);
    const environment: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      ...deps.clientEnv(),
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      ...(role ? Iam.environment(role.credentials) : {}),
      _HANDLER: String(p.Handler),
      LAMBDA_TASK_ROOT: built.bundleFile.slice(0, built.bundleFile.lastIndexOf('/')),
      ...userEnv,
    };
    const reserved = p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions);
    return {
      name,
      arn,
      timeoutSeconds,
      memoryMb,
      architecture: Array.isArray(p.Architectures) && p.Architectures[0] === 'arm64' ? 'arm64' : 'x86_64',
      environment,
      bundleFile: built.bundleFile,
      exportName: built.exportName,
      log: deps.log,
      ...(reserved !== undefined && reserved > 0 ? { maxConcurrency: reserved } : {}),
    };
  }

  // Deploy-time cold starts, as many at a time as there are cores: Lambda's 10-second init limit is each sandbox's own (in
  // AWS every one has its CPU), and a template's functions all starting at once on a small, busy
  // machine would share its cores and pass the limit together, the more functions the likelier.
  const WARM_AT_ONCE = Math.max(2, availableParallelism());
  let warming = 0;
  const waitingToWarm: Array<() => void> = [];
  async function inWarmSlot<T>(work: () => Promise<T>): Promise<T> {
    if (warming < WARM_AT_ONCE) warming++;
    else await new Promise<void>((resolve) => waitingToWarm.push(resolve));
    try {
      return await work();
    } finally {
      // The slot goes straight to the next in line, if any.
      const next = waitingToWarm.shift();
      if (next) next();
      else warming--;
    }
  }

  /** The first cold start of (new) code happens in the deploy, so a handler that is missing or throws at import fails it. */
  function warmCheck(fn: WorkerFunction, resource: LoadedResource, ctx: DeployContext): void {
    ctx.defer(async () => {
      const initError = await inWarmSlot(() => fn.warm());
      if (initError)
        throw new DeployError(
          ctx.template.file,
          resource.logicalId,
          'Handler',
          `${initError.errorType}: ${initError.errorMessage}`,
        );
    });
  }

  /**
   * The AWS::Lambda::Permission SAM generates beside a rule event (`<Function><Event>Permission`):
   * events.amazonaws.com may invoke the function for that rule only, so the rule's deliveries pass
   * IAM as they do in AWS.
   */
  function samRulePermission(event: SamRuleEvent, arn: string, logicalId: string, ctx: DeployContext): void {
    const { iam } = deps;
    const account = parseArn(arn);
    if (!iam || !account) return;
    const permissionId = `${logicalId}${event.name}Permission`;
    const name = `${ctx.template.stackName}/${permissionId}`;
    iam.putResourcePolicy(arn, name, [
      {
        Sid: permissionId,
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: arn,
        Condition: { ArnLike: { 'AWS:SourceArn': arns.rule(account, busName(event.eventBusName), event.ruleName) } },
      },
    ]);
    ctx.onDelete(() => iam.putResourcePolicy(arn, name, undefined));
  }

  /** Wires the function's events (rules, stream mappings), each registering its removal with ctx.onDelete. */
  async function wire(resource: LoadedResource, events: SamEvent[], arn: string, ctx: DeployContext): Promise<void> {
    const file = ctx.template.file;
    for (const event of events) {
      if (event.kind === 'rule') {
        await samRule(deps.events, event as SamRuleEvent, arn, ctx, resource.logicalId);
        samRulePermission(event as SamRuleEvent, arn, resource.logicalId, ctx);
      } else if (event.kind === 'schedule' && deps.scheduler)
        samSchedule(deps.scheduler, event as SamScheduleEvent, arn, ctx, resource.logicalId, deps.iam);
      else if (event.kind === 'dynamodb') {
        if (!deps.streams)
          throw new DeployError(
            file,
            resource.logicalId,
            `Events.${event.name}`,
            'DynamoDB stream events need DynamoDB Local, which is off',
          );
        ctx.onDelete(await deps.streams(event, arn, resource.logicalId, ctx));
      } else if (event.kind === 'sqs' && deps.sqsEvents) {
        ctx.onDelete(await deps.sqsEvents(event, arn, resource.logicalId, ctx));
      } else if (event.kind !== 'api' && event.kind !== 'httpApi') {
        ctx.log(
          `[stacks] ${ctx.template.stackName}: ${resource.logicalId} event ${event.name} (${event.type}) is not emulated locally`,
        );
      }
    }
  }

  const deploy: ResourceHandler = async (resource, ctx) => {
    const options = await optionsOf(resource, ctx);
    const { name, arn } = options;
    if (deps.lambda.get(name))
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        'FunctionName',
        `Function ${name} already exists (another stack owns it).`,
      );
    const fn = workerFunction(options);
    deps.lambda.register(fn);
    deps.lambda.asyncInvoker?.configure(name, asyncFailureConfig(resource.properties));
    // Its generated role goes with it: credentials stop working at once, even in a sandbox still running.
    if (deps.iam && resource.properties.Role === undefined) {
      const { iam } = deps;
      const roleName = samRoleName(ctx.template.stackName, resource.logicalId);
      ctx.onDelete(() => iam.deleteRole(roleName));
    }
    const key = buildKey(ctx, resource);
    const state: Deployed = { fn, events: new SamEvents(deps.events), outDir: outDirOf(resource, ctx) };
    deployed.set(key, state);
    ctx.onDelete(async () => {
      try {
        await state.events.removeAll();
      } finally {
        deps.lambda.unregister(name);
        deps.lambda.asyncInvoker?.configure(name, undefined);
        fn.dispose();
        deployed.delete(key);
        if (state.outDir) pruneBuilds(state.outDir, []);
      }
    });
    warmCheck(fn, resource, ctx);
    await state.events.create(resource.sam?.events ?? [], ctx, (events, c) => wire(resource, events, arn, c));
  };

  async function update(resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext): Promise<void> {
    const state = deployed.get(buildKey(ctx, resource));
    if (!state)
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        undefined,
        `function ${resource.physicalId} is not deployed, so it cannot be updated`,
      );
    let options = await optionsOf(resource, ctx);
    if (ctx.rollbackOf !== undefined) {
      // Back to what ran before the failed attempt changed it; never to a rebuild of the source that failed.
      options = state.changedIn === ctx.rollbackOf && state.before ? state.before : state.fn.options;
    }
    if (!isDeepStrictEqual(options, state.fn.options)) {
      if (ctx.rollbackOf === undefined) {
        state.before = state.fn.options;
        state.changedIn = ctx.deployment;
      } else {
        delete state.before;
        delete state.changedIn;
      }
      const what = options.bundleFile !== state.fn.options.bundleFile ? 'code' : 'configuration';
      state.fn.update(options);
      ctx.log(
        `[stacks] ${ctx.template.stackName}: ${resource.logicalId}: function ${options.name} updated in place (new ${what})`,
      );
      warmCheck(state.fn, resource, ctx);
    }
    deps.lambda.asyncInvoker?.configure(options.name, asyncFailureConfig(resource.properties));
    await state.events.update(resource.sam?.events ?? [], ctx, (events, c) => wire(resource, events, options.arn, c));
    if (state.outDir)
      pruneBuilds(state.outDir, [state.fn.options.bundleFile, ...(state.before ? [state.before.bundleFile] : [])]);
  }

  return Object.assign(deploy, {
    update,
    emulatedEvents: new Set<SamEvent['kind']>([
      'rule',
      'dynamodb',
      'api',
      'httpApi',
      ...(deps.scheduler ? ['schedule' as const] : []),
      ...(deps.sqsEvents ? ['sqs' as const] : []),
    ]),
    // Its code on disk may change while the template does not.
    reconcileUnchanged: true,
    prepare: async (resource: LoadedResource, ctx: DeployContext) => {
      const pending = build(resource, ctx);
      builds.set(buildKey(ctx, resource), pending);
      await pending;
    },
  });
}
