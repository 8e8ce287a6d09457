// What a deployed stack is locally: the resources it owns (and how to remove each), its outputs,
// and what the local cloud did not emulate.
import type { LoadedResource, LoadedTemplate } from './template/index.js';

export interface DeployedResource {
  logicalId: string;
  type: string;
  physicalId: string;
}

export interface StackRecord {
  name: string;
  templateFile: string;
  status: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE';
  parameters: Record<string, string | string[]>;
  resources: DeployedResource[];
  outputs: Record<string, string>;
  /** Resources of types the local cloud does not emulate: reported, never dropped in silence. */
  notEmulated: DeployedResource[];
  deployedAt: string;
}

/** The context a resource handler deploys in. */
export interface DeployContext {
  template: LoadedTemplate;
  templateDir: string;
  log: (line: string) => void;
  /** Registers how to remove what was just created; run in reverse on delete or failed deploy. */
  onDelete(undo: () => Promise<void> | void): void;
}

/** Creates one resource; throws DeployError to fail the whole stack. */
export interface ResourceHandler {
  (resource: LoadedResource, ctx: DeployContext): Promise<void>;
  /**
   * Updates in place a resource that the stack's previous deployment created with the same logical
   * id, type and physical id (a table keeps its items). It registers its removal again with
   * ctx.onDelete; if it registers none, the previous removal steps stay. Without `update`, a
   * redeploy removes the resource and creates it anew.
   */
  update?(resource: LoadedResource, previous: LoadedResource, ctx: DeployContext): Promise<void>;
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
