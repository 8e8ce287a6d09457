// AWS::Serverless::Function and AWS::Lambda::Function with local code: built as `sam build` builds
// them (esbuild with the template's BuildProperties), run in sandboxes with the template's
// environment and the edge as endpoint, and their EventBridgeRule/Schedule, ScheduleV2 and DynamoDB
// events wired.
import { join, resolve } from 'node:path';
import type { EventsService } from '../../services/events/service.js';
import type { LambdaService } from '../../services/lambda/service.js';
import type { SchedulerService } from '../../services/scheduler/service.js';
import { BuildError, buildFunction, workerFunction, type BuildMetadata, type BuiltFunction } from '../../services/lambda/runtime/index.js';
import type { LoadedResource, SamDynamoDbEvent, SamRuleEvent, SamScheduleEvent } from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';
import { samRule } from './events.js';
import { samSchedule } from './schedules.js';

export interface FunctionDeps {
  lambda: LambdaService;
  events: EventsService;
  /** ScheduleV2 events: EventBridge Scheduler schedules; without it they are reported as not emulated. */
  scheduler?: SchedulerService;
  /** AWS_ENDPOINT_URL, region and dummy credentials: what points the SDK at the edge. */
  clientEnv: () => Record<string, string>;
  log: (line: string) => void;
  /** Table streams to functions (DynamoDB events); absent when DynamoDB is off. */
  streams?: (event: SamDynamoDbEvent, functionArn: string, logicalId: string, ctx: DeployContext) => Promise<() => Promise<void> | void>;
}

/** Keys Lambda sets itself and refuses in a function's Environment. */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];

/** Where a function's artifact goes: beside its code, in SAM's own (ignored) build folder. */
export const buildDirOf = (codeUri: string, stackName: string, logicalId: string) => join(codeUri, '.aws-sam', 'presso', stackName, logicalId);

function codeOf(resource: LoadedResource, ctx: DeployContext): { codeUri: string; property: string } {
  const p = resource.properties;
  const property = p.CodeUri !== undefined ? 'CodeUri' : 'Code';
  const code = p.CodeUri ?? p.Code;
  if (typeof code !== 'string') {
    throw new DeployError(ctx.template.file, resource.logicalId, property, 'only local code (a folder path relative to the template) is supported locally, not an S3 location or inline ZipFile');
  }
  return { codeUri: resolve(ctx.templateDir, code), property };
}

function stringEnv(resource: LoadedResource, ctx: DeployContext): Record<string, string> {
  const vars = (resource.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const reserved = Object.keys(vars).filter((k) => RESERVED_ENVIRONMENT_KEYS.includes(k));
  if (reserved.length) {
    throw new DeployError(
      ctx.template.file, resource.logicalId, 'Environment.Variables',
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function numberIn(resource: LoadedResource, ctx: DeployContext, key: string, fallback: number, min: number, max: number): number {
  const raw = resource.properties[key];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DeployError(ctx.template.file, resource.logicalId, key, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function functionHandler(deps: FunctionDeps): ResourceHandler {
  // Stacks calls prepare for every function of a stack at once, before anything is created, so
  // builds run in parallel; deploy takes the build prepare started.
  const builds = new Map<string, Promise<BuiltFunction>>();
  const buildKey = (ctx: DeployContext, resource: LoadedResource) => `${ctx.template.stackName}#${resource.logicalId}`;

  function build(resource: LoadedResource, ctx: DeployContext): Promise<BuiltFunction> {
    const { codeUri, property } = codeOf(resource, ctx);
    const handler = resource.properties.Handler;
    if (typeof handler !== 'string') throw new DeployError(ctx.template.file, resource.logicalId, 'Handler', 'is required');
    return buildFunction({
      name: resource.physicalId, codeUri, handler, outDir: buildDirOf(codeUri, ctx.template.stackName, resource.logicalId),
      ...(resource.metadata ? { metadata: resource.metadata as BuildMetadata } : {}),
    }).catch((e: unknown) => {
      if (e instanceof BuildError) throw new DeployError(ctx.template.file, resource.logicalId, e.property === 'CodeUri' ? property : e.property, e.message);
      throw e;
    });
  }

  const deploy: ResourceHandler = async (resource, ctx) => {
    const p = resource.properties;
    const file = ctx.template.file;
    const name = resource.physicalId;
    const arn = `arn:aws:lambda:${ctx.template.region}:${ctx.template.accountId}:function:${name}`;
    const timeoutSeconds = numberIn(resource, ctx, 'Timeout', 3, 1, 900);
    const memoryMb = numberIn(resource, ctx, 'MemorySize', 128, 128, 10240);
    const userEnv = stringEnv(resource, ctx);
    const key = buildKey(ctx, resource);
    const built = await (builds.get(key) ?? build(resource, ctx));
    builds.delete(key);
    const runtime = String(p.Runtime ?? 'nodejs22.x');
    if (!runtime.startsWith('nodejs')) throw new DeployError(file, resource.logicalId, 'Runtime', `${runtime} is not supported locally (Node.js runtimes only)`);
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
      _HANDLER: String(p.Handler),
      LAMBDA_TASK_ROOT: built.bundleFile.slice(0, built.bundleFile.lastIndexOf('/')),
      ...userEnv,
    };
    if (deps.lambda.get(name)) throw new DeployError(file, resource.logicalId, 'FunctionName', `Function ${name} already exists (another stack owns it).`);
    const reserved = p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions);
    const fn = workerFunction({
      name, arn, timeoutSeconds, memoryMb, environment, bundleFile: built.bundleFile, exportName: built.exportName, log: deps.log,
      ...(reserved !== undefined && reserved > 0 ? { maxConcurrency: reserved } : {}),
    });
    deps.lambda.register(fn);
    ctx.onDelete(() => {
      deps.lambda.unregister(name);
      fn.dispose();
    });
    // The first cold start happens now, so a handler that is missing or throws at import fails the deploy.
    ctx.defer(async () => {
      const initError = await fn.warm();
      if (initError) throw new DeployError(file, resource.logicalId, 'Handler', `${initError.errorType}: ${initError.errorMessage}`);
    });
    for (const event of resource.sam?.events ?? []) {
      if (event.kind === 'rule') await samRule(deps.events, event as SamRuleEvent, arn, ctx, resource.logicalId);
      else if (event.kind === 'schedule' && deps.scheduler) samSchedule(deps.scheduler, event as SamScheduleEvent, arn, ctx, resource.logicalId);
      else if (event.kind === 'dynamodb') {
        if (!deps.streams) throw new DeployError(file, resource.logicalId, `Events.${event.name}`, 'DynamoDB stream events need DynamoDB Local, which is off');
        ctx.onDelete(await deps.streams(event, arn, resource.logicalId, ctx));
      } else if (event.kind !== 'api' && event.kind !== 'httpApi') {
        ctx.log(`[stacks] ${ctx.template.stackName}: ${resource.logicalId} event ${event.name} (${event.type}) is not emulated locally`);
      }
    }
  };
  return Object.assign(deploy, {
    prepare: async (resource: LoadedResource, ctx: DeployContext) => {
      const pending = build(resource, ctx);
      builds.set(buildKey(ctx, resource), pending);
      await pending;
    },
  });
}
