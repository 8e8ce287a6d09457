// Workflow variables (Assign). A Parallel branch or Map iteration runs in an inner scope: it reads
// the outer variables but may not assign to them, and its own variables vanish when it ends.

import { StatesError, StatesErrorName } from './errors.js';
import type { JsonValue } from './types.js';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['states']);

export function isValidVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name) && !RESERVED.has(name);
}

export class VariableScope {
  private readonly own = new Map<string, JsonValue>();

  constructor(private readonly outer?: VariableScope) {}

  get(name: string): JsonValue | undefined {
    const value = this.own.get(name);
    if (value !== undefined || this.own.has(name)) return value;
    return this.outer?.get(name);
  }

  private declaredOutside(name: string): boolean {
    let scope = this.outer;
    while (scope) {
      if (scope.own.has(name)) return true;
      scope = scope.outer;
    }
    return false;
  }

  /** Assigns all values at once (they were evaluated against the variables as they were before). */
  assign(values: Record<string, JsonValue>): void {
    for (const name of Object.keys(values)) {
      if (!isValidVariableName(name)) {
        throw new StatesError(StatesErrorName.Runtime, `Invalid variable name '${name}'`);
      }
      if (this.declaredOutside(name)) {
        throw new StatesError(
          StatesErrorName.Runtime,
          `Cannot assign the variable '${name}': it belongs to an outer scope`,
        );
      }
    }
    for (const [name, value] of Object.entries(values)) this.own.set(name, value);
  }

  /** Every visible variable, inner ones shadowing nothing (outer names can't be reassigned). */
  visible(): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = this.outer ? this.outer.visible() : {};
    for (const [name, value] of this.own) out[name] = value;
    return out;
  }

  /** This scope's own variables (serializable). */
  ownEntries(): Record<string, JsonValue> {
    return Object.fromEntries(this.own);
  }

  get size(): number {
    return this.own.size;
  }
}
