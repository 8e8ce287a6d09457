// What a deployed stack is locally: the resources it owns (and how to remove each), its outputs,
// and what the local cloud did not emulate.
import { isDeepStrictEqual } from 'node:util';
import type { LoadedResource, LoadedTemplate, SamEvent } from './template/index.js';

export interface DeployedResource {
  logicalId: string;
  type: string;
  physicalId: string;
}

/** An HTTP or REST API a stack created, and where it answers locally. */
export interface StackApi {
  logicalId: string;
  type: string;
  apiId: string;
  kind: 'HTTP' | 'REST';
  stage: string;
  /** The local invoke URL: `<edge>/apis/<apiId>` plus `/<stage>` unless the stage is $default. */
  url: string;
  /** The invoke URL the API would have in AWS. */
  awsUrl: string;
  /** Route keys as API Gateway writes them ("GET /orders/{id}", "$default"), with their function and authorizer. */
  routes: Array<{ routeKey: string; function: string; authorizer?: string }>;
}

/** An AppSync Events API a stack created, and where it answers locally and in AWS. */
export interface StackEventApi {
  logicalId: string;
  apiId: string;
  name: string;
  /** Local HTTP publish URL: `<edge>/appsync/<apiId>/event`. */
  http: string;
  /** Local WebSocket URL: `ws://<edge host>/appsync/<apiId>/event/realtime`. */
  realtime: string;
  /** Dns.Http and Dns.Realtime: the API's host names in AWS. */
  dns: { http: string; realtime: string };
  namespaces: string[];
}

export interface StackRecord {
  name: string;
  templateFile: string;
  status: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE';
  parameters: Record<string, string | string[]>;
  resources: DeployedResource[];
  outputs: Record<string, string>;
  /** Outputs as usable locally: every invoke URL of the stack's APIs points at the edge. */
  localOutputs: Record<string, string>;
  /** The stack's HTTP and REST APIs by logical id. */
  apis: Record<string, StackApi>;
  /** The stack's AppSync Events APIs by logical id. */
  eventApis: Record<string, StackEventApi>;
  /** Resources of types the local cloud does not emulate: reported, never dropped in silence. */
  notEmulated: DeployedResource[];
  deployedAt: string;
}

/** The context a resource handler deploys in. */
export interface DeployContext {
  template: LoadedTemplate;
  templateDir: string;
  /** This deployment attempt's number (each deploy, and each rollback, has its own). */
  deployment: number;
  /** Set while a failed update is rolled back: the number of the attempt being undone. */
  rollbackOf?: number;
  log: (line: string) => void;
  /** Registers how to remove what was just created; run in reverse on delete or failed deploy. */
  onDelete(undo: () => Promise<void> | void): void;
  /**
   * A removal that waits for the whole deploy to succeed (CloudFormation's cleanup phase, with the
   * resources the template no longer has); a failed deploy drops it, so a rollback finds it there.
   */
  cleanup(step: () => Promise<void> | void): void;
  /** A check that runs alongside the rest of the deploy; the stack completes only if it passes. */
  defer(check: () => Promise<void>): void;
  /** Records an API the stack serves, for StackRecord.apis and localOutputs. */
  addApi(api: StackApi): void;
  /** Records an AppSync Events API the stack serves (StackRecord.eventApis). */
  addEventApi(api: StackEventApi): void;
}

/**
 * Creates one resource; throws DeployError to fail the whole stack. `prepare`, when present, runs
 * for every resource of its type before anything is created, all at once (builds): it must not
 * create anything.
 */
export interface ResourceHandler {
  (resource: LoadedResource, ctx: DeployContext): Promise<void>;
  prepare?: (resource: LoadedResource, ctx: DeployContext) => Promise<void>;
  /**
   * Updates in place a resource that the stack's previous deployment created with the same logical
   * id, type and physical id (a table keeps its items), changing only what changed. It may register
   * its removal again with ctx.onDelete; if it registers none, the previous removal steps stay.
   * Without `update`, a redeploy that changed the resource removes it and creates it anew.
   */
  update?(resource: LoadedResource, previous: LoadedResource, ctx: DeployContext): Promise<void>;
  /**
   * A redeploy leaves a resource whose definition did not change untouched (no handler is called),
   * as CloudFormation does; set this when the resource depends on more than its definition (a
   * function's code on disk, an API's routes declared by functions): `update` is then called
   * anyway, and must itself leave untouched what did not change.
   */
  reconcileUnchanged?: boolean;
  /** The kinds of SAM event it wires; its resource's other events are listed as not emulated. */
  emulatedEvents?: ReadonlySet<SamEvent['kind']>;
}

/** Whether a resource is defined as before: same type, physical id, properties, metadata and SAM events. */
export function sameDefinition(a: LoadedResource, b: LoadedResource): boolean {
  return (
    a.type === b.type &&
    a.physicalId === b.physicalId &&
    isDeepStrictEqual(a.properties, b.properties) &&
    isDeepStrictEqual(a.metadata, b.metadata) &&
    isDeepStrictEqual(a.sam, b.sam)
  );
}

export class DeployError extends Error {
  constructor(
    readonly file: string,
    readonly resource: string,
    readonly property: string | undefined,
    message: string,
  ) {
    super(`${file}: Resources.${resource}${property ? `.Properties.${property}` : ''}: ${message}`);
  }
}
