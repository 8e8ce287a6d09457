// What rule 1's checks share: the extension's templates and names, and how a check reports.
import type { App } from '@serverlesspresso/catalog/bus';
import type { CheckId } from '../checks.js';
import { intrinsic, type Names, type RawTemplate } from '../raw.js';

export interface Context {
  app: App;
  raw: RawTemplate;
  names: Names;
  push: (id: CheckId, resource: string, property: string, message: string, fix: string) => void;
}

export const FIX_OWN =
  'reach other apps only through the bus: create what you need in this template and refer to it with !Ref / !GetAtt';

/** A value as the template writes it, for messages: !Ref X, !GetAtt X.Y, !Sub '...', or JSON. */
export function shown(node: unknown): string {
  const fn = intrinsic(node);
  if (!fn) return JSON.stringify(node);
  const [name, arg] = fn;
  if (name === 'Ref') return `!Ref ${String(arg)}`;
  if (name === 'Fn::GetAtt') return `!GetAtt ${Array.isArray(arg) ? arg.join('.') : String(arg)}`;
  if (name === 'Fn::Sub' && typeof arg === 'string') return `!Sub '${arg}'`;
  return `!${name.replace('Fn::', '')} ${JSON.stringify(arg)}`;
}

export const lower = (v: unknown) => String(v).toLowerCase();
export const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
