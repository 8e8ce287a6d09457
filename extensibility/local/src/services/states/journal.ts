// What of Step Functions outlives the local cloud when the data directory is the user's own:
// - executions (executions.jsonl): a JSON snapshot with the whole history per line, appended when an
//   execution starts and when it ends; read back at start. An execution that was still running when
//   the cloud stopped comes back FAILED with a cause that says why: its timers and task tokens did
//   not survive, and running it again from the start would emit its events twice. The file is
//   compacted to what the engine still holds (its retention forgets the oldest closed executions)
//   at start and whenever what was appended since outweighs what the last compaction kept, so it
//   stays within about twice the engine's own size.
// - state machines made with CreateStateMachine (state-machines.json): a stack's machines are made
//   again by its deploy, but nothing else would bring these back, and their executions would be
//   out of reach of ListExecutions.
// Every rewrite goes to a temporary file, synced, then renamed over the old one: a crash leaves
// the old file or the new one, never half of either.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutionSnapshot, StepFunctionsEngine } from './engine/index.js';
import type { StateMachineRecord, StatesService } from './service.js';

/** Writes `lines` to `file` through a synced temporary file renamed over it. */
export function writeFileAtomic(file: string, lines: Iterable<string>, mode?: number): number {
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  let bytes = 0;
  try {
    for (const line of lines) bytes += writeSync(fd, line);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  syncDirectory(dirname(file));
  return bytes;
}

/** Makes a rename durable (the directory entry), where the platform allows opening a directory. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory; the rename stands on its own there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface ExecutionJournalOptions {
  /** Appended bytes past which (and past what the last compaction kept) the journal is compacted. Default 16 MiB. */
  compactAfterBytes?: number;
}

const DEFAULT_COMPACT_AFTER_BYTES = 16 * 1024 * 1024;

export class ExecutionJournal {
  /** Executions read back when the journal was opened. */
  readonly restored: number;
  private fd: number;
  private appendedBytes = 0;
  private keptBytes = 0;
  private compactions = 0;
  private readonly compactAfterBytes: number;
  private readonly unsubscribe: () => void;

  /** Restores what `file` holds into the engine, compacts the file, and journals from then on. */
  static open(engine: StepFunctionsEngine, file: string, options: ExecutionJournalOptions = {}): ExecutionJournal {
    return new ExecutionJournal(engine, file, options);
  }

  private constructor(
    private readonly engine: StepFunctionsEngine,
    private readonly file: string,
    options: ExecutionJournalOptions,
  ) {
    this.compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
    mkdirSync(dirname(file), { recursive: true });
    this.restored = restoreExecutions(engine, file);
    // What the engine holds now (retention may have forgotten some of what the file had) is the new file.
    this.keptBytes = writeFileAtomic(file, this.lines());
    this.fd = openSync(file, 'a');
    // A status notification comes when an execution starts (its ExecutionStarted recorded) and when it ends.
    this.unsubscribe = engine.subscribe((n) => {
      if (n.type === 'executionStatus') this.append(engine.exportExecution(n.execution.executionArn));
    });
  }

  /** Rewrites the file with the engine's executions only. */
  compact(): void {
    closeSync(this.fd);
    try {
      this.keptBytes = writeFileAtomic(this.file, this.lines());
      this.appendedBytes = 0;
      this.compactions++;
    } finally {
      this.fd = openSync(this.file, 'a');
    }
  }

  /** Bytes appended since the last compaction, bytes it kept, compactions while running: for tests and benchmarks. */
  stats(): { appendedBytes: number; keptBytes: number; compactions: number } {
    return { appendedBytes: this.appendedBytes, keptBytes: this.keptBytes, compactions: this.compactions };
  }

  /** Stops journaling; what still runs is journaled as running (and restored as failed). */
  close(): void {
    this.unsubscribe();
    closeSync(this.fd);
  }

  private *lines(): Generator<string> {
    for (const snapshot of this.engine.executionSnapshots()) yield JSON.stringify(snapshot) + '\n';
  }

  private append(snapshot: ExecutionSnapshot): void {
    this.appendedBytes += writeSync(this.fd, JSON.stringify(snapshot) + '\n');
    if (this.appendedBytes > Math.max(this.compactAfterBytes, this.keptBytes)) this.compact();
  }
}

/** Loads the last snapshot of each execution in `file` into the engine; returns how many it read. */
function restoreExecutions(engine: StepFunctionsEngine, file: string): number {
  if (!existsSync(file)) return 0;
  const latest = new Map<string, ExecutionSnapshot>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const snapshot = JSON.parse(line) as ExecutionSnapshot;
      // Deleted first, so the map's order is the order of each execution's last snapshot.
      latest.delete(snapshot.executionArn);
      latest.set(snapshot.executionArn, snapshot);
    } catch {
      // A line cut short by a crash: the snapshot before it stands.
    }
  }
  // Closed ones in the order they closed, so the engine's retention forgets the oldest; then those
  // that were running, which close (failed) now.
  const closed = [...latest.values()]
    .filter((s) => s.status !== 'RUNNING')
    .sort((a, b) => Date.parse(a.stopDate ?? a.startDate) - Date.parse(b.stopDate ?? b.startDate));
  const running = [...latest.values()].filter((s) => s.status === 'RUNNING');
  for (const snapshot of [...closed, ...running]) {
    try {
      engine.importExecution(snapshot, { running: 'fail' });
    } catch (e) {
      throw new Error(`Cannot restore the execution ${snapshot.executionArn} from ${file}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return latest.size;
}

interface StoredStateMachine {
  name: string;
  arn: string;
  definition: string;
  type: StateMachineRecord['type'];
  roleArn: string;
  creationDate: string;
}

/**
 * Keeps the state machines made with CreateStateMachine in `file`: restores them into the service,
 * then rewrites the file whenever one is created or deleted. Returns those that could not be
 * restored (a definition the local cloud now refuses), with why: they stay in the file, untouched,
 * until one of that name is created again or the file is edited.
 */
export function persistApiStateMachines(states: StatesService, file: string): Array<{ name: string; reason: string }> {
  mkdirSync(dirname(file), { recursive: true });
  const refused: Array<{ stored: StoredStateMachine; reason: string }> = [];
  if (existsSync(file)) {
    let stored: StoredStateMachine[];
    try {
      stored = (JSON.parse(readFileSync(file, 'utf8')) as { stateMachines?: StoredStateMachine[] }).stateMachines ?? [];
    } catch (e) {
      throw new Error(`Cannot read the state machines in ${file}: ${(e as Error).message}`, { cause: e });
    }
    for (const m of stored) {
      try {
        states.restoreApiStateMachine({ ...m, creationDate: new Date(m.creationDate) });
      } catch (e) {
        refused.push({ stored: m, reason: (e as Error).message });
      }
    }
  }
  const save = (machines: StateMachineRecord[]) => {
    const live = new Set(machines.map((m) => m.arn));
    const stored: StoredStateMachine[] = [
      ...machines.map((m) => ({
        name: m.name,
        arn: m.arn,
        definition: m.definition,
        type: m.type,
        roleArn: m.roleArn,
        creationDate: m.creationDate.toISOString(),
      })),
      ...refused.filter((r) => !live.has(r.stored.arn)).map((r) => r.stored),
    ];
    writeFileAtomic(file, [JSON.stringify({ stateMachines: stored }, null, 2) + '\n']);
  };
  save(states.apiStateMachines());
  states.onApiStateMachinesChange(save);
  return refused.map((r) => ({ name: r.stored.name, reason: r.reason }));
}
