// Stacks: each app's template deployed as its own stack, all or nothing, and deleted exactly: a
// stack removes only what it created. Deploys and deletes run one at a time.
//
// Redeploying a stack updates it, as CloudFormation does: a resource still in the template with the
// same logical id, type and physical id whose definition did not change is left untouched (a bus
// keeps every other stack's rules, a stream mapping its position); one that changed is updated in
// place when its handler can (tables keep their items, functions their ARN); any other resource
// still in the template is removed and created anew; resources the template no longer has are
// removed last, once everything else succeeded. If the redeploy fails, the stack is
// rolled back to its previous deployment by the same means (what the failed attempt created is
// removed, what it updated is updated back, what it re-created is re-created as it was); only if
// that fails too is the whole stack removed. Either way nothing half-deployed stays.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Account } from '../arn.js';
import type { EventsService } from '../services/events/service.js';
import type { StatesService } from '../services/states/service.js';
import { loadTemplate, type LoadedResource, type LoadedTemplate } from './template/index.js';
import {
  DeployError,
  sameDefinition,
  type DeployContext,
  type DeployedResource,
  type ResourceHandler,
  type StackApi,
  type StackEventApi,
  type StackRecord,
} from './model.js';
import { localOutputs } from './resources/apis.js';
import { eventBusHandler, ruleHandler } from './resources/events.js';
import { stateMachineHandler } from './resources/state-machines.js';

/** Types that exist only as records locally (their effect, permissions, is not enforced yet). */
const RECORDED = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
]);

export interface DeployRequest {
  /** An app folder (its template.yaml/yml/json) or a template file. */
  path: string;
  stackName?: string;
  parameterOverrides?: Record<string, string>;
}

type Undo = () => Promise<void> | void;

/** A resource as deployed, with the steps that remove it. */
interface LiveResource {
  resource: LoadedResource;
  undo: Undo[];
}

interface LiveStack {
  record: StackRecord;
  template: LoadedTemplate;
  templateDir: string;
  /** Deployment order. */
  live: LiveResource[];
}

/** What one deployment made: its resources in order, and the APIs they serve. */
interface Applied {
  live: LiveResource[];
  apis: Record<string, StackApi>;
  eventApis: Record<string, StackEventApi>;
}

/** A deploy that failed part way: the error, and what exists of the stack now. */
class ApplyFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly live: LiveResource[],
    /** Nothing was touched yet (preparation, e.g. a build, failed): the stack is as it was. */
    readonly untouched = false,
    /** The failed attempt's number (DeployContext.deployment), for the rollback. */
    readonly deployment?: number,
  ) {
    super((error as Error).message);
  }
}

export function templateFileOf(path: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new Error(`${path} does not exist`);
  if (statSync(abs).isFile()) return abs;
  for (const name of ['template.yaml', 'template.yml', 'template.json'])
    if (existsSync(join(abs, name))) return join(abs, name);
  throw new Error(`${path} has no template.yaml, template.yml or template.json`);
}

/** Default stack name: the app folder's name, as CloudFormation allows it. */
export function defaultStackName(templateFile: string): string {
  return (
    basename(dirname(templateFile))
      .replace(/[^A-Za-z0-9-]/g, '-')
      .replace(/^[^A-Za-z]+/, '') || 'app'
  );
}

export class Stacks {
  private readonly stacks = new Map<string, LiveStack>();
  private readonly handlers = new Map<string, ResourceHandler>();
  private queue: Promise<unknown> = Promise.resolve();
  private deployments = 0;
  /** The edge's URL once it listens: queue URLs in templates point there. */
  sqsEndpoint: string | undefined;

  constructor(
    private readonly account: Account,
    events: EventsService,
    states: StatesService,
    private readonly log: (line: string) => void,
  ) {
    this.handlers.set('AWS::Events::EventBus', eventBusHandler(events));
    this.handlers.set('AWS::Events::Rule', ruleHandler(events));
    const sm = stateMachineHandler(states, events);
    this.handlers.set('AWS::Serverless::StateMachine', sm);
    this.handlers.set('AWS::StepFunctions::StateMachine', sm);
  }

  /**
   * Rewrites of AWS URLs into local ones, beyond the stacks' HTTP APIs (user pool domains, AppSync
   * Events): applied to outputs and to functions' environments, so the same code and templates work.
   */
  private readonly localUrlRewriters: Array<(text: string) => string> = [];

  addLocalUrlRewriter(rewrite: (text: string) => string): void {
    this.localUrlRewriters.push(rewrite);
  }

  /** A value with every AWS URL a rewriter knows pointing at the edge. */
  localValue(text: string): string {
    return this.localUrlRewriters.reduce((t, rewrite) => rewrite(t), text);
  }

  private readonly deployedListeners: Array<(record: StackRecord) => void> = [];

  /** Called once a deploy (or redeploy) of a stack completed, with its record. */
  onDeployed(listener: (record: StackRecord) => void): void {
    this.deployedListeners.push(listener);
  }

  /** Adds or replaces how one resource type is deployed (functions, tables, APIs plug in here). */
  registerHandler(type: string, handler: ResourceHandler): void {
    this.handlers.set(type, handler);
  }

  /** Custom::<Name> resources are custom resources, as CloudFormation reads them. */
  private handlerFor(type: string): ResourceHandler | undefined {
    return (
      this.handlers.get(type) ??
      (type.startsWith('Custom::') ? this.handlers.get('AWS::CloudFormation::CustomResource') : undefined)
    );
  }

  list(): StackRecord[] {
    return [...this.stacks.values()].map((s) => s.record);
  }

  get(name: string): StackRecord | undefined {
    return this.stacks.get(name)?.record;
  }

  deploy(request: DeployRequest): Promise<StackRecord> {
    return this.serial(() => this.deployNow(request));
  }

  delete(name: string): Promise<boolean> {
    return this.serial(async () => {
      const stack = this.stacks.get(name);
      if (!stack) return false;
      await this.removeAll(stack.live);
      this.stacks.delete(name);
      this.log(`[stacks] ${name}: deleted`);
      return true;
    });
  }

  async deleteAll(): Promise<void> {
    for (const name of [...this.stacks.keys()].reverse()) await this.delete(name);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async removeAll(live: LiveResource[]): Promise<void> {
    for (const l of [...live].reverse()) await this.runUndo(l.undo);
  }

  private async runUndo(undo: Undo[]): Promise<void> {
    for (const step of [...undo].reverse()) {
      try {
        await step();
      } catch (e) {
        this.log(`[stacks] cleanup step failed: ${(e as Error).message}`);
      }
    }
  }

  private async deployNow(request: DeployRequest): Promise<StackRecord> {
    const templateFile = templateFileOf(request.path);
    const stackName = request.stackName ?? defaultStackName(templateFile);
    // Everything that can be checked without side effects is checked before anything is created.
    const template: LoadedTemplate = loadTemplate(templateFile, {
      stackName,
      region: this.account.region,
      accountId: this.account.accountId,
      ...(this.sqsEndpoint ? { sqsEndpoint: this.sqsEndpoint } : {}),
      ...(request.parameterOverrides ? { parameterOverrides: request.parameterOverrides } : {}),
    });
    const previous = this.stacks.get(stackName);
    const templateDir = dirname(templateFile);
    let applied: Applied;
    try {
      applied = await this.apply(template, templateDir, previous?.live ?? []);
    } catch (e) {
      const failure = e instanceof ApplyFailure ? e : new ApplyFailure(e, []);
      const error =
        failure.error instanceof DeployError
          ? failure.error
          : new Error(`${templateFile}: ${(failure.error as Error).message}`);
      if (failure.untouched) throw error;
      if (!previous) {
        await this.removeAll(failure.live);
        throw error;
      }
      try {
        previous.live = (
          await this.apply(previous.template, previous.templateDir, failure.live, failure.deployment)
        ).live;
        this.log(`[stacks] ${stackName}: update failed, rolled back to the previous deployment`);
        error.message += ` (the stack ${stackName} was rolled back to its previous deployment)`;
      } catch (rollback) {
        await this.removeAll(rollback instanceof ApplyFailure ? rollback.live : []);
        this.stacks.delete(stackName);
        this.log(
          `[stacks] ${stackName}: rolling back failed too (${(rollback as Error).message}); the stack was removed`,
        );
        error.message += ` (rolling the stack ${stackName} back failed too, so it was removed: ${(rollback as Error).message})`;
      }
      throw error;
    }
    const { live, apis, eventApis } = applied;
    const resources: DeployedResource[] = [];
    const notEmulated: DeployedResource[] = [];
    for (const { resource } of live) {
      const entry = { logicalId: resource.logicalId, type: resource.type, physicalId: resource.physicalId };
      const handler = this.handlerFor(resource.type);
      if (handler || RECORDED.has(resource.type)) resources.push(entry);
      else notEmulated.push(entry);
      // A SAM event its handler does not wire (an SQS queue, an S3 bucket, ...) is listed too, not only logged.
      for (const event of resource.sam?.events ?? []) {
        if (handler?.emulatedEvents && !handler.emulatedEvents.has(event.kind)) {
          notEmulated.push({
            logicalId: `${resource.logicalId}.Events.${event.name}`,
            type: `${resource.type} event ${event.type}`,
            physicalId: '',
          });
        }
      }
    }
    const outputs = Object.fromEntries(
      Object.entries(template.outputs).map(([k, o]) => [
        k,
        typeof o.value === 'string' ? o.value : JSON.stringify(o.value),
      ]),
    );
    const record: StackRecord = {
      name: stackName,
      templateFile,
      status: previous ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE',
      parameters: template.parameters,
      resources,
      notEmulated,
      deployedAt: new Date().toISOString(),
      outputs,
      localOutputs: Object.fromEntries(
        Object.entries(localOutputs(outputs, Object.values(apis))).map(([k, v]) => [k, this.localValue(v)]),
      ),
      apis,
      eventApis,
    };
    this.stacks.set(stackName, { record, template, templateDir, live });
    this.log(
      `[stacks] ${stackName}: ${record.status} (${resources.length} resources${notEmulated.length ? `, ${notEmulated.length} not emulated` : ''})`,
    );
    for (const listener of this.deployedListeners) listener(record);
    return record;
  }

  /**
   * Makes `current` (what exists of the stack) into `template`: prepares every resource (builds),
   * removes what is re-created, leaves the unchanged resources alone, updates the changed ones and
   * creates the others in template order, waits for the deferred checks, then removes what the
   * template no longer has. Throws ApplyFailure with what exists at that point. `rollbackOf`: the
   * failed attempt this one undoes.
   */
  private async apply(
    template: LoadedTemplate,
    templateDir: string,
    current: LiveResource[],
    rollbackOf?: number,
  ): Promise<Applied> {
    const deployment = ++this.deployments;
    const deferred: Array<Promise<void>> = [];
    const cleanup: Undo[] = [];
    const apis: Record<string, StackApi> = {};
    const eventApis: Record<string, StackEventApi> = {};
    const contextFor = (entry: LiveResource): DeployContext => ({
      template,
      templateDir,
      deployment,
      ...(rollbackOf !== undefined ? { rollbackOf } : {}),
      log: this.log,
      onDelete: (step) => void entry.undo.push(step),
      cleanup: (step) => void cleanup.push(step),
      defer: (check) => {
        const running = check();
        running.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
        deferred.push(running);
      },
      addApi: (api) => void (apis[api.logicalId] = api),
      addEventApi: (api) => void (eventApis[api.logicalId] = api),
    });
    // Builds and other preparation of every resource at once, before anything is touched.
    try {
      await Promise.all(
        template.resources.map((r) => this.handlerFor(r.type)?.prepare?.(r, contextFor({ resource: r, undo: [] }))),
      );
    } catch (e) {
      throw new ApplyFailure(e, current, true, deployment);
    }
    const wanted = new Map(template.resources.map((r) => [r.logicalId, r]));
    const kept = new Map<string, LiveResource>();
    const replaced: LiveResource[] = [];
    const dropped: LiveResource[] = [];
    for (const l of current) {
      const next = wanted.get(l.resource.logicalId);
      if (!next) {
        dropped.push(l);
        continue;
      }
      const sameResource = next.type === l.resource.type && next.physicalId === l.resource.physicalId;
      if (sameResource && (this.handlerFor(next.type)?.update !== undefined || sameDefinition(next, l.resource)))
        kept.set(next.logicalId, l);
      else replaced.push(l);
    }
    // What is created anew goes first (its name is reused below); what the template no longer has
    // goes only once everything else succeeded, as CloudFormation's cleanup phase does.
    await this.removeAll(replaced);
    const live: LiveResource[] = [];
    try {
      for (const resource of template.resources) {
        const entry: LiveResource = { resource, undo: [] };
        const ctx = contextFor(entry);
        const handler = this.handlerFor(resource.type);
        const previous = kept.get(resource.logicalId);
        kept.delete(resource.logicalId);
        live.push(entry);
        try {
          if (!handler) {
            if (!RECORDED.has(resource.type))
              this.log(
                `[stacks] ${template.stackName}: ${resource.logicalId} (${resource.type}) is not emulated locally`,
              );
          } else if (!previous) {
            await handler(resource, ctx);
          } else if (handler.update && (handler.reconcileUnchanged || !sameDefinition(resource, previous.resource))) {
            await handler.update(resource, previous.resource, ctx);
          }
          // else: unchanged, so untouched (its removal steps stay)
        } finally {
          if (previous && entry.undo.length === 0) entry.undo = previous.undo;
        }
      }
      await Promise.all(deferred);
    } catch (e) {
      // Deferred checks still running must not outlive the resources they check.
      await Promise.allSettled(deferred);
      throw new ApplyFailure(e, [...dropped, ...live, ...kept.values()], false, deployment);
    }
    await this.removeAll(dropped);
    await this.runUndo(cleanup);
    return { live, apis, eventApis };
  }
}
