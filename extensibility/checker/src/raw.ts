// The template as written (before any intrinsic is resolved): only there can the checker tell a
// reference to the extension's own resources (Ref, Fn::GetAtt, ${...} in Fn::Sub) from a literal.
import { readFileSync } from 'node:fs';
import { BUS_NAME } from '@serverlesspresso/catalog';
import { isObject, parseTemplateText } from '@serverlesspresso/catalog/bus';

export type Node = Record<string, unknown>;

export interface RawResource {
  Type?: unknown;
  Properties?: Node;
  Metadata?: Node;
}

export interface RawTemplate {
  file: string;
  parameters: Record<string, Node>;
  resources: Record<string, RawResource>;
  root: Node;
}

export function readRaw(file: string): RawTemplate {
  const root = parseTemplateText(readFileSync(file, 'utf8'), file);
  const t = isObject(root) ? root : {};
  return {
    file,
    root: t,
    parameters: (isObject(t.Parameters) ? t.Parameters : {}) as Record<string, Node>,
    resources: (isObject(t.Resources) ? t.Resources : {}) as Record<string, RawResource>,
  };
}

/** The intrinsic function of a node ({ "Fn::Sub": ... } -> ["Fn::Sub", arg]), if it is one. */
export function intrinsic(node: unknown): [string, unknown] | undefined {
  if (!isObject(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key.startsWith('Fn::') || key === 'Condition' ? [key, node[key]] : undefined;
}

/** Every value of a tree with its path (`a.b[0].c`), depth first; `visit` returning false skips what is inside. */
export function walk(node: unknown, path: string, visit: (value: unknown, path: string) => boolean | void): void {
  if (visit(node, path) === false) return;
  if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
  else if (isObject(node)) for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k, visit);
}

/** The variables of a Fn::Sub text: "${Table.Arn}/x" -> ["Table.Arn"] (${!Literal} is not a variable). */
export const subVariables = (text: string): string[] =>
  [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((m) => m[1]!.trim());

/** What a value refers to: the names behind Ref, Fn::GetAtt and Fn::Sub variables, anywhere inside it. */
export function referencedNames(node: unknown): string[] {
  const names: string[] = [];
  const visit = (n: unknown, locals: Set<string>) => {
    const fn = intrinsic(n);
    if (fn) {
      const [name, arg] = fn;
      if (name === 'Ref' && typeof arg === 'string') names.push(arg);
      else if (name === 'Fn::GetAtt') names.push(String(Array.isArray(arg) ? arg[0] : String(arg).split('.')[0]));
      else if (name === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        const own = new Set(isObject(vars) ? Object.keys(vars) : []);
        if (typeof text === 'string')
          for (const v of subVariables(text)) if (!own.has(v) && !locals.has(v)) names.push(v.split('.')[0]!);
        if (isObject(vars)) for (const v of Object.values(vars)) visit(v, locals);
      } else visit(arg, locals);
      return;
    }
    if (Array.isArray(n)) n.forEach((v) => visit(v, locals));
    else if (isObject(n)) Object.values(n).forEach((v) => visit(v, locals));
  };
  visit(node, new Set());
  return names;
}

export class Names {
  readonly resources: Set<string>;
  readonly parameters: Set<string>;
  /** String parameters that default to the bus's name: how an extension names the bus. */
  readonly busParameters: Set<string>;

  constructor(raw: RawTemplate) {
    this.resources = new Set(Object.keys(raw.resources));
    this.parameters = new Set(Object.keys(raw.parameters));
    this.busParameters = new Set(
      Object.entries(raw.parameters)
        .filter(([, p]) => p.Default === BUS_NAME)
        .map(([k]) => k),
    );
  }

  /** Whether the value refers to at least one resource of this template. */
  isOwn(node: unknown): boolean {
    return referencedNames(node).some((n) => this.resources.has(n));
  }

  /** The bus by its name: the literal name, or a Ref to a parameter that defaults to it. */
  isBusByName(node: unknown): boolean {
    if (node === BUS_NAME) return true;
    const fn = intrinsic(node);
    return fn?.[0] === 'Ref' && this.busParameters.has(String(fn[1]));
  }

  /** The bus's ARN built from its name: Fn::Sub "arn:...:event-bus/${BusParameter}" (or the literal name). */
  isBusArnByName(node: unknown): boolean {
    const fn = intrinsic(node);
    if (fn?.[0] !== 'Fn::Sub') return false;
    const text = Array.isArray(fn[1]) ? fn[1][0] : fn[1];
    if (typeof text !== 'string') return false;
    const m = /:event-bus\/(.+)$/.exec(text);
    if (!m) return false;
    const rest = m[1]!;
    if (rest === BUS_NAME) return true;
    const variable = /^\$\{([^}]+)\}$/.exec(rest)?.[1];
    return variable !== undefined && this.busParameters.has(variable);
  }
}

/** Export names a template imports with a literal Fn::ImportValue. */
export function importedNames(raw: RawTemplate): string[] {
  const names: string[] = [];
  walk(raw.root, '', (value) => {
    const fn = intrinsic(value);
    if (fn?.[0] === 'Fn::ImportValue' && typeof fn[1] === 'string') names.push(fn[1]);
  });
  return names;
}
