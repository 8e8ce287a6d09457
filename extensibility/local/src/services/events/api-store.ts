// Buses, rules and targets made through the EventBridge API outlive a restart with --data-dir: each
// call that changes them (CreateEventBus, DeleteEventBus, PutRule, DeleteRule, EnableRule,
// DisableRule, PutTargets, RemoveTargets) is appended to <data-dir>/events/api-changes.jsonl, one
// line each, before it is made (so before it answers; a write that fails refuses the call). At
// start the calls are made again in order, with the same validation: a call on a bus that does not
// exist yet (a stack's bus) waits for the stack's deploy, with every later call on that bus. A rule's
// schedule keeps its times through the schedule store. A last line a crash cut short is skipped.
// The file is rewritten (to the calls that still change something: those of buses and rules that
// were deleted go) at start.
import { closeSync, openSync } from 'node:fs';
import { readJsonLines } from '../../jsonl.js';
import { writeRecord } from '../../crash-hook.js';
import { nameFromNameOrArn } from '../../arn.js';
import { AwsError } from '../../edge/errors.js';
import { writeFileAtomic } from '../states/journal.js';

/** The calls that change buses, rules and targets. */
export const API_CHANGES = new Set([
  'CreateEventBus',
  'DeleteEventBus',
  'PutRule',
  'DeleteRule',
  'EnableRule',
  'DisableRule',
  'PutTargets',
  'RemoveTargets',
]);

export interface ApiChange {
  op: string;
  input: Record<string, unknown>;
}

/** The line that voids the call before it: the call was refused (validation), nothing changed. */
type Refused = { refused: 1 };

/** The bus a call acts on (CreateEventBus and DeleteEventBus: the one they name). */
export function busOf(change: ApiChange): string {
  const name =
    change.op === 'CreateEventBus' || change.op === 'DeleteEventBus' ? change.input.Name : change.input.EventBusName;
  return typeof name === 'string' ? nameFromNameOrArn(name, '/') : 'default';
}

/** The rule a call acts on, as `bus/rule` (undefined for the bus calls). */
function ruleOf(change: ApiChange): string | undefined {
  const name = change.input.Name ?? change.input.Rule;
  return change.op.endsWith('EventBus') || typeof name !== 'string' ? undefined : `${busOf(change)}/${name}`;
}

export class EventsApiStore {
  private fd: number;
  private closed = false;
  /** The calls read back at start, in order. */
  readonly restored: ApiChange[] = [];
  /** Lines a crash cut short, skipped. */
  readonly tornRecords: number;

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    let torn = 0;
    const skipped = (lineNumber: number) => {
      torn++;
      log(
        `[events] ${file}: a half-written record on line ${lineNumber} (a crash cut it short) was skipped: the change it held is lost, as if it had not been made`,
      );
    };
    for (const line of readJsonLines<ApiChange | Refused>(file, skipped)) {
      if ('refused' in line) this.restored.pop();
      else this.restored.push(line);
    }
    this.tornRecords = torn;
    this.restored = compact(this.restored);
    writeFileAtomic(
      file,
      this.restored.map((c) => JSON.stringify(c) + '\n'),
    );
    this.fd = openSync(file, 'a');
  }

  /** Writes a call before it is made; a write that fails refuses it (InternalFailure, nothing changed). */
  write(change: ApiChange): void {
    if (this.closed) return;
    try {
      writeRecord(this.fd, 'events', change.op, JSON.stringify(change) + '\n');
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      this.log(`[events] ${this.file}: a write failed (${error.message}): ${change.op} was refused`);
      throw new AwsError(
        'InternalFailure',
        `The local cloud could not write ${change.op} to ${this.file} (${error.code ?? error.message}), so nothing was changed: free space on that disk and call it again.`,
        500,
      );
    }
  }

  /** The call just written was refused: it is not made again at start (a write that fails only costs a refusal at start). */
  refused(): void {
    if (this.closed) return;
    try {
      writeRecord(this.fd, 'events', 'refused', JSON.stringify({ refused: 1 } satisfies Refused) + '\n');
    } catch {
      // Made again at start, the call is refused again: nothing changes.
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** Drops the calls of rules and buses deleted later (a DeleteRule or DeleteEventBus after them). */
function compact(changes: ApiChange[]): ApiChange[] {
  const kept: ApiChange[] = [];
  for (const change of changes) {
    if (change.op === 'DeleteRule') {
      const rule = ruleOf(change);
      const before = kept.length;
      // Only a rule without targets is deleted: keep the calls when targets were left.
      const targets = new Set<string>();
      for (const c of kept.filter((c) => ruleOf(c) === rule)) {
        const ids = c.op === 'PutTargets' ? (c.input.Targets as Array<{ Id?: unknown }>) : [];
        for (const t of Array.isArray(ids) ? ids : []) targets.add(String(t?.Id));
        if (c.op === 'RemoveTargets' && Array.isArray(c.input.Ids))
          for (const id of c.input.Ids) targets.delete(String(id));
      }
      if (targets.size === 0) {
        const rest = kept.filter((c) => ruleOf(c) !== rule);
        kept.length = 0;
        kept.push(...rest);
      }
      if (kept.length === before) kept.push(change);
      continue;
    }
    if (change.op === 'DeleteEventBus') {
      const bus = busOf(change);
      const created = kept.some((c) => c.op === 'CreateEventBus' && busOf(c) === bus);
      if (created) {
        const rest = kept.filter((c) => busOf(c) !== bus);
        kept.length = 0;
        kept.push(...rest);
        continue;
      }
    }
    kept.push(change);
  }
  return kept;
}
