// Resource dependencies: which resources each references (only through the Fn::If branches that
// the conditions select, as CloudFormation does), a deploy order, and the cycles that prevent one.
import { intrinsicName, parseSub } from './intrinsics.js';
import { isObject } from '../../json.js';

export interface Dependency {
  /** The resource depended on. */
  target: string;
  /** How, for cycle reports: "DependsOn", "Ref at Properties.X", ... */
  via: string;
}

/**
 * Every resource `value` references through Ref, Fn::GetAtt or Fn::Sub, following only the
 * selected Fn::If branch when the condition is known. Names that are not resources are ignored
 * (the evaluator reports them).
 */
export function referencedResources(
  value: unknown,
  path: string,
  isResource: (name: string) => boolean,
  condition: (name: string) => boolean | undefined,
): Dependency[] {
  const found: Dependency[] = [];
  const visit = (v: unknown, p: string, subVariables?: ReadonlySet<string>): void => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${p}[${i}]`, subVariables));
      return;
    }
    if (!isObject(v)) return;
    const fn = intrinsicName(v);
    if (!fn) {
      for (const [key, item] of Object.entries(v)) visit(item, p ? `${p}.${key}` : key);
      return;
    }
    const arg = v[fn];
    switch (fn) {
      case 'Ref':
        if (typeof arg === 'string' && isResource(arg)) found.push({ target: arg, via: `Ref at ${p}` });
        return;
      case 'Fn::GetAtt': {
        const target = typeof arg === 'string' ? arg.split('.')[0] : Array.isArray(arg) ? arg[0] : undefined;
        if (typeof target === 'string' && isResource(target)) found.push({ target, via: `Fn::GetAtt at ${p}` });
        if (Array.isArray(arg)) visit(arg[1], `${p}.Fn::GetAtt[1]`);
        return;
      }
      case 'Fn::Sub': {
        const [template, variables] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        const names = new Set(isObject(variables) ? Object.keys(variables) : []);
        if (typeof template === 'string') {
          for (const part of parseSub(template)) {
            if (!('variable' in part) || names.has(part.variable)) continue;
            const target = part.variable.split('.')[0] as string;
            if (isResource(target)) found.push({ target, via: `Fn::Sub at ${p}` });
          }
        }
        if (isObject(variables)) visit(variables, `${p}.Fn::Sub[1]`);
        return;
      }
      case 'Fn::If': {
        if (Array.isArray(arg) && typeof arg[0] === 'string') {
          const selected = condition(arg[0]);
          if (selected !== false) visit(arg[1], `${p}.Fn::If[1]`);
          if (selected !== true) visit(arg[2], `${p}.Fn::If[2]`);
          return;
        }
        visit(arg, `${p}.${fn}`);
        return;
      }
      default:
        visit(arg, `${p}.${fn}`);
    }
  };
  visit(value, path);
  return found;
}

export interface Ordering {
  /** Resources not in a cycle, each after everything it depends on; ties keep template order. */
  order: string[];
  /** Each cycle as a closed path `[A, B, ..., A]` with the reason for each step. */
  cycles: Array<{ path: string[]; via: string[] }>;
}

/** `ids` in template order; `dependencies` of each id (targets are ids too). */
export function orderResources(
  ids: readonly string[],
  dependencies: ReadonlyMap<string, readonly Dependency[]>,
): Ordering {
  const cycles = findCycles(ids, dependencies);
  const inCycle = new Set(cycles.flatMap((c) => c.path));
  const order: string[] = [];
  const placed = new Set<string>();
  // Kahn's algorithm, always taking the earliest ready resource in template order (stable output).
  let progress = true;
  while (progress) {
    progress = false;
    for (const id of ids) {
      if (placed.has(id) || inCycle.has(id)) continue;
      const deps = dependencies.get(id) ?? [];
      if (deps.every((d) => placed.has(d.target))) {
        order.push(id);
        placed.add(id);
        progress = true;
        break;
      }
    }
  }
  return { order, cycles };
}

/** Tarjan's strongly connected components; one representative cycle per component. */
function findCycles(
  ids: readonly string[],
  dependencies: ReadonlyMap<string, readonly Dependency[]>,
): Ordering['cycles'] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const connect = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (const { target } of dependencies.get(id) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(id, Math.min(low.get(id) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(id, Math.min(low.get(id) as number, index.get(target) as number));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      const selfLoop = (dependencies.get(id) ?? []).some((d) => d.target === id);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const id of ids) if (!index.has(id)) connect(id);

  const position = new Map(ids.map((id, i) => [id, i]));
  return components.map((component) => {
    const members = new Set(component);
    // Start from the component's first resource in template order, for a predictable message.
    const start = [...component].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0))[0] as string;
    return cycleThrough(start, members, dependencies);
  });
}

/** A shortest path from `start` back to itself inside one strongly connected component. */
function cycleThrough(
  start: string,
  members: ReadonlySet<string>,
  dependencies: ReadonlyMap<string, readonly Dependency[]>,
) {
  const previous = new Map<string, { from: string; via: string }>();
  const queue = [start];
  let closing: { from: string; via: string } | undefined;
  while (queue.length > 0 && !closing) {
    const id = queue.shift() as string;
    for (const dep of dependencies.get(id) ?? []) {
      if (!members.has(dep.target)) continue;
      if (dep.target === start) {
        closing = { from: id, via: dep.via };
        break;
      }
      if (!previous.has(dep.target)) {
        previous.set(dep.target, { from: id, via: dep.via });
        queue.push(dep.target);
      }
    }
  }
  const path = [start];
  const via: string[] = [];
  if (closing) {
    let step: { from: string; via: string } | undefined = closing;
    let node = start;
    const reversed: Array<{ node: string; via: string }> = [];
    while (step) {
      reversed.push({ node, via: step.via });
      node = step.from;
      step = node === start ? undefined : previous.get(node);
    }
    for (const { node: n, via: v } of reversed.reverse()) {
      path.push(n);
      via.push(v);
    }
  }
  return { path, via };
}
