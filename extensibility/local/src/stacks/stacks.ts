// Stacks: each app's template deployed as its own stack, all or nothing, and deleted exactly: a
// stack removes only what it created. Deploys and deletes run one at a time.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Account } from '../arn.js';
import type { EventsService } from '../services/events/service.js';
import type { StatesService } from '../services/states/service.js';
import { loadTemplate, type LoadedTemplate } from './template/index.js';
import { DeployError, type DeployContext, type DeployedResource, type ResourceHandler, type StackApi, type StackRecord } from './model.js';
import { localOutputs } from './resources/apis.js';
import { eventBusHandler, ruleHandler } from './resources/events.js';
import { stateMachineHandler } from './resources/state-machines.js';

/** Types that exist only as records locally (their effect, permissions, is not enforced yet). */
const RECORDED = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup']);

export interface DeployRequest {
  /** An app folder (its template.yaml/yml/json) or a template file. */
  path: string;
  stackName?: string;
  parameterOverrides?: Record<string, string>;
}

interface LiveStack {
  record: StackRecord;
  undo: Array<() => Promise<void> | void>;
}

export function templateFileOf(path: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new Error(`${path} does not exist`);
  if (statSync(abs).isFile()) return abs;
  for (const name of ['template.yaml', 'template.yml', 'template.json']) if (existsSync(join(abs, name))) return join(abs, name);
  throw new Error(`${path} has no template.yaml, template.yml or template.json`);
}

/** Default stack name: the app folder's name, as CloudFormation allows it. */
export function defaultStackName(templateFile: string): string {
  return basename(dirname(templateFile)).replace(/[^A-Za-z0-9-]/g, '-').replace(/^[^A-Za-z]+/, '') || 'app';
}

export class Stacks {
  private readonly stacks = new Map<string, LiveStack>();
  private readonly handlers = new Map<string, ResourceHandler>();
  private queue: Promise<unknown> = Promise.resolve();

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

  /** Adds or replaces how one resource type is deployed (functions, tables, APIs plug in here). */
  registerHandler(type: string, handler: ResourceHandler): void {
    this.handlers.set(type, handler);
  }

  /** Custom::<Name> resources are custom resources, as CloudFormation reads them. */
  private handlerFor(type: string): ResourceHandler | undefined {
    return this.handlers.get(type) ?? (type.startsWith('Custom::') ? this.handlers.get('AWS::CloudFormation::CustomResource') : undefined);
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
      await this.runUndo(stack.undo);
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

  private async runUndo(undo: Array<() => Promise<void> | void>): Promise<void> {
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
      stackName, region: this.account.region, accountId: this.account.accountId,
      ...(request.parameterOverrides ? { parameterOverrides: request.parameterOverrides } : {}),
    });
    const previous = this.stacks.get(stackName);
    // Redeploying replaces the stack's resources: its own, never another stack's.
    if (previous) await this.runUndo(previous.undo);
    const undo: Array<() => Promise<void> | void> = [];
    const deferred: Array<Promise<void>> = [];
    const apis: Record<string, StackApi> = {};
    const ctx: DeployContext = {
      template, templateDir: dirname(templateFile), log: this.log, onDelete: (step) => void undo.push(step),
      defer: (check) => {
        const running = check();
        running.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
        deferred.push(running);
      },
      addApi: (api) => void (apis[api.logicalId] = api),
    };
    const resources: DeployedResource[] = [];
    const notEmulated: DeployedResource[] = [];
    try {
      // Builds and other preparation of every resource at once, before anything is created.
      await Promise.all(template.resources.map((r) => this.handlerFor(r.type)?.prepare?.(r, ctx)));
      for (const resource of template.resources) {
        const entry = { logicalId: resource.logicalId, type: resource.type, physicalId: resource.physicalId };
        const handler = this.handlerFor(resource.type);
        if (handler) {
          await handler(resource, ctx);
          resources.push(entry);
        } else if (RECORDED.has(resource.type)) {
          resources.push(entry);
        } else {
          notEmulated.push(entry);
          this.log(`[stacks] ${stackName}: ${resource.logicalId} (${resource.type}) is not emulated locally`);
        }
      }
      await Promise.all(deferred);
    } catch (e) {
      // Deferred checks still running must not outlive the resources they check.
      await Promise.allSettled(deferred);
      await this.runUndo(undo);
      if (previous) this.stacks.delete(stackName);
      throw e instanceof DeployError ? e : new Error(`${templateFile}: ${(e as Error).message}`);
    }
    const outputs = Object.fromEntries(Object.entries(template.outputs).map(([k, o]) => [k, typeof o.value === 'string' ? o.value : JSON.stringify(o.value)]));
    const record: StackRecord = {
      name: stackName, templateFile, status: previous ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', parameters: template.parameters,
      resources, notEmulated, deployedAt: new Date().toISOString(),
      outputs, localOutputs: localOutputs(outputs, Object.values(apis)), apis,
    };
    this.stacks.set(stackName, { record, undo });
    this.log(`[stacks] ${stackName}: ${record.status} (${resources.length} resources${notEmulated.length ? `, ${notEmulated.length} not emulated` : ''})`);
    return record;
  }
}
