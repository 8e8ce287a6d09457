// Step Functions on the edge (X-Amz-Target: AWSStepFunctions.<Operation>): state machines are kept
// here, executions run in the engine. Errors carry the API's names; dates are epoch seconds, as the
// JSON protocol carries timestamps.
import { arns, type Account } from '../../arn.js';
import { AwsError } from '../../edge/errors.js';
import type { EdgeRequest, JsonService } from '../../edge/types.js';
import {
  SfnApiError,
  type ExecutionDescription,
  type ExecutionStatus,
  type HistoryEvent,
  type StateMachineRef,
  type StateMachineType,
  type StepFunctionsEngine,
} from './engine/index.js';
import type { ResourceRefusal } from './tasks.js';
import { epochSeconds, required, str } from '../request.js';

export interface StateMachineRecord {
  name: string;
  arn: string;
  /** The ASL definition as JSON text. */
  definition: string;
  type: StateMachineType;
  roleArn: string;
  creationDate: Date;
}

export interface RegisterStateMachineParams {
  name: string;
  arn?: string;
  definition: string | object;
  type?: StateMachineType;
  roleArn?: string;
}

type Input = Record<string, unknown>;

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const STATE_MACHINE_ARN = /^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/;
// The characters the service refuses in state machine names (as in execution names).
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const DEFAULT_PAGE = 100;

/** Engine errors become API errors with the same name; anything else passes through. */
function apiError(e: unknown): unknown {
  return e instanceof SfnApiError ? new AwsError(e.code, e.message) : e;
}

function page<T>(items: T[], input: Input): { items: T[]; nextToken?: string } {
  const start = Number(str(input, 'nextToken') ?? 0);
  if (!Number.isInteger(start) || start < 0)
    throw new AwsError('InvalidToken', `Invalid Token: '${str(input, 'nextToken')}'`);
  const max = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : DEFAULT_PAGE;
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

/** Every Task state's Resource, with the JSON pointer of its state (nested Parallel and Map states too). */
export function taskResources(definition: unknown, base = ''): Array<{ path: string; resource: string }> {
  const states = (definition as { States?: Record<string, Record<string, unknown>> } | undefined)?.States ?? {};
  return Object.entries(states).flatMap(([name, state]) => {
    const path = `${base}/States/${name}`;
    const own = state.Type === 'Task' && typeof state.Resource === 'string' ? [{ path, resource: state.Resource }] : [];
    const branches = Array.isArray(state.Branches)
      ? state.Branches.flatMap((b, i) => taskResources(b, `${path}/Branches/${i}`))
      : [];
    const processor = state.ItemProcessor ?? state.Iterator;
    const items = processor
      ? taskResources(processor, `${path}/${state.ItemProcessor ? 'ItemProcessor' : 'Iterator'}`)
      : [];
    return [...own, ...branches, ...items];
  });
}

export class StatesService implements JsonService {
  readonly name = 'states';
  readonly targetPrefixes = ['AWSStepFunctions'];
  readonly jsonVersion = '1.0' as const;
  private readonly machines = new Map<string, StateMachineRecord>();
  /** ARNs of the machines made with CreateStateMachine (not by a stack): what persistence keeps. */
  private readonly apiMachines = new Set<string>();
  private readonly apiListeners: Array<(machines: StateMachineRecord[]) => void> = [];

  constructor(
    readonly engine: StepFunctionsEngine,
    private readonly account: Account,
    /** Why a Task resource cannot be in a machine of that type (undefined when it can): checked when a machine is created. */
    private readonly checkResource: (resource: string, type: StateMachineType) => ResourceRefusal | undefined = () =>
      undefined,
  ) {}

  async handle(operation: string, input: Input, _request: EdgeRequest): Promise<unknown> {
    try {
      return await this.dispatch(operation, input);
    } catch (e) {
      throw apiError(e);
    }
  }

  private async dispatch(operation: string, input: Input): Promise<unknown> {
    switch (operation) {
      case 'CreateStateMachine':
        return this.createStateMachine(input);
      case 'DeleteStateMachine':
        return this.deleteStateMachine(input);
      case 'DescribeStateMachine':
        return this.describeStateMachine(input);
      case 'ListStateMachines':
        return this.listStateMachines(input);
      case 'StartExecution':
        return this.startExecution(input);
      case 'StartSyncExecution':
        return this.startSyncExecution(input);
      case 'DescribeExecution':
        return describeExecutionOutput(this.engine.describeExecution(required(input, 'executionArn')));
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'StopExecution':
        return this.stopExecution(input);
      case 'SendTaskSuccess':
        this.engine.sendTaskSuccess(required(input, 'taskToken'), required(input, 'output'));
        return {};
      case 'SendTaskFailure':
        this.engine.sendTaskFailure(required(input, 'taskToken'), str(input, 'error'), str(input, 'cause'));
        return {};
      case 'SendTaskHeartbeat':
        this.engine.sendTaskHeartbeat(required(input, 'taskToken'));
        return {};
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Operation ${operation} is not supported by the local Step Functions.`,
        );
    }
  }

  // ---- state machines (also for stacks, in process) ----

  /** Creates or replaces a state machine (stack deployments); throws InvalidDefinition. */
  registerStateMachine(params: RegisterStateMachineParams): StateMachineRecord {
    const definition = typeof params.definition === 'string' ? params.definition : JSON.stringify(params.definition);
    try {
      this.engine.compileDefinition(definition);
    } catch (e) {
      throw apiError(e);
    }
    const type = params.type ?? 'STANDARD';
    for (const { path, resource } of taskResources(JSON.parse(definition) as unknown)) {
      const refusal = this.checkResource(resource, type);
      if (!refusal) continue;
      // What AWS refuses is worded as AWS words it; what only the local cloud lacks says so.
      const text =
        refusal.by === 'aws'
          ? `'SCHEMA_VALIDATION_FAILED: ${refusal.message} at ${path}/Resource'`
          : `'${path}/Resource': ${refusal.message}`;
      throw new AwsError(
        'InvalidDefinition',
        `Invalid State Machine Definition: ${text}${refusal.hint ? ` (${refusal.hint})` : ''}`,
      );
    }
    const arn = params.arn ?? arns.stateMachine(this.account, params.name);
    const record: StateMachineRecord = {
      name: params.name,
      arn,
      definition,
      type,
      roleArn:
        params.roleArn ?? `arn:aws:iam::${this.account.accountId}:role/service-role/StepFunctions-${params.name}-role`,
      creationDate: this.machines.get(arn)?.creationDate ?? new Date(),
    };
    this.machines.set(arn, record);
    return record;
  }

  removeStateMachine(arn: string): boolean {
    if (this.apiMachines.delete(arn)) this.apiChanged();
    return this.machines.delete(arn);
  }

  /** The state machines made with CreateStateMachine: a stack's are made again by its deploy, these by nothing else. */
  apiStateMachines(): StateMachineRecord[] {
    return [...this.apiMachines].map((arn) => this.machines.get(arn)!);
  }

  /** Called with apiStateMachines() whenever one is created or deleted. */
  onApiStateMachinesChange(listener: (machines: StateMachineRecord[]) => void): void {
    this.apiListeners.push(listener);
  }

  /** Brings back a machine made with CreateStateMachine before a restart; throws InvalidDefinition as CreateStateMachine would. */
  restoreApiStateMachine(record: StateMachineRecord): void {
    const restored = this.registerStateMachine(record);
    restored.creationDate = record.creationDate;
    this.apiMachines.add(restored.arn);
  }

  private apiChanged(): void {
    const machines = this.apiStateMachines();
    for (const listener of this.apiListeners) listener(machines);
  }

  stateMachine(arn: string): StateMachineRecord | undefined {
    return this.machines.get(arn);
  }

  /** A state machine as the engine takes it; throws InvalidArn / StateMachineDoesNotExist. */
  ref(arn: string): StateMachineRef {
    if (!STATE_MACHINE_ARN.test(arn)) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
    const sm = this.machines.get(arn);
    if (!sm) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return { arn: sm.arn, name: sm.name, definition: sm.definition, type: sm.type, roleArn: sm.roleArn };
  }

  private createStateMachine(input: Input) {
    const name = required(input, 'name');
    if (name.length > 80 || INVALID_NAME.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
    const definition = required(input, 'definition');
    const roleArn = required(input, 'roleArn');
    const type = (str(input, 'type') ?? 'STANDARD') as StateMachineType;
    if (type !== 'STANDARD' && type !== 'EXPRESS')
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`,
      );
    const arn = arns.stateMachine(this.account, name);
    const existing = this.machines.get(arn);
    if (existing) {
      // Creating the same machine again is idempotent; a different one under the name is not.
      if (existing.definition === definition && existing.roleArn === roleArn && existing.type === type)
        return { stateMachineArn: arn, creationDate: epochSeconds(existing.creationDate) };
      throw new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const record = this.registerStateMachine({ name, arn, definition, type, roleArn });
    this.apiMachines.add(record.arn);
    this.apiChanged();
    return { stateMachineArn: record.arn, creationDate: epochSeconds(record.creationDate) };
  }

  private deleteStateMachine(input: Input) {
    const arn = required(input, 'stateMachineArn');
    if (!STATE_MACHINE_ARN.test(arn)) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
    // As in AWS, running executions run on; deleting an unknown machine is not an error.
    this.removeStateMachine(arn);
    return {};
  }

  private describeStateMachine(input: Input) {
    const ref = this.ref(required(input, 'stateMachineArn'));
    const sm = this.machines.get(ref.arn)!;
    return {
      stateMachineArn: sm.arn,
      name: sm.name,
      status: 'ACTIVE',
      definition: sm.definition,
      roleArn: sm.roleArn,
      type: sm.type,
      creationDate: epochSeconds(sm.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    };
  }

  private listStateMachines(input: Input) {
    const all = [...this.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = page(all, input);
    return {
      stateMachines: items.map((sm) => ({
        stateMachineArn: sm.arn,
        name: sm.name,
        type: sm.type,
        creationDate: epochSeconds(sm.creationDate),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  // ---- executions ----

  private startExecution(input: Input) {
    const stateMachine = this.ref(required(input, 'stateMachineArn'));
    const name = str(input, 'name');
    const execInput = str(input, 'input');
    const result = this.engine.startExecution({
      stateMachine,
      ...(name !== undefined ? { name } : {}),
      ...(execInput !== undefined ? { input: execInput } : {}),
    });
    return { executionArn: result.executionArn, startDate: epochSeconds(result.startDate) };
  }

  private async startSyncExecution(input: Input) {
    const stateMachine = this.ref(required(input, 'stateMachineArn'));
    if (stateMachine.type !== 'EXPRESS')
      throw new AwsError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine',
      );
    const name = str(input, 'name');
    const execInput = str(input, 'input');
    const result = await this.engine.startSyncExecution({
      stateMachine,
      ...(name !== undefined ? { name } : {}),
      ...(execInput !== undefined ? { input: execInput } : {}),
    });
    return {
      ...describeExecutionOutput(result),
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 },
    };
  }

  private listExecutions(input: Input) {
    const arn = this.ref(required(input, 'stateMachineArn')).arn;
    const statusFilter = str(input, 'statusFilter') as ExecutionStatus | undefined;
    if (statusFilter !== undefined && !STATUSES.includes(statusFilter)) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`,
      );
    }
    const { items, nextToken } = page(this.engine.listExecutions(arn, statusFilter), input);
    return {
      executions: items.map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: epochSeconds(e.startDate),
        stopDate: epochSeconds(e.stopDate),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private getExecutionHistory(input: Input) {
    const events = this.engine.getExecutionHistory(required(input, 'executionArn'), {
      reverseOrder: input.reverseOrder === true,
    });
    const { items, nextToken } = page(events, input);
    return { events: items.map(historyEventOutput), ...(nextToken ? { nextToken } : {}) };
  }

  private stopExecution(input: Input) {
    const { stopDate } = this.engine.stopExecution(
      required(input, 'executionArn'),
      str(input, 'error'),
      str(input, 'cause'),
    );
    return { stopDate: epochSeconds(stopDate) };
  }
}

export function describeExecutionOutput(e: ExecutionDescription) {
  return { ...e, startDate: epochSeconds(e.startDate), stopDate: epochSeconds(e.stopDate) };
}

function historyEventOutput(event: HistoryEvent) {
  return { ...event, timestamp: epochSeconds(event.timestamp) };
}
