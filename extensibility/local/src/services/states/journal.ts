// What of Step Functions outlives the local cloud when the data directory is the user's own:
// - a journal per running Standard execution (executions/<hash of its ARN>.jsonl): a first line
//   with what it runs (definition, input, role, start), then every history event and every value
//   it records beside them (its task tokens, the time of the last heartbeat of each), one line
//   each, appended before the execution goes on (each transition is written before the next
//   starts; with `sync`, also flushed to the disk). At start each is read back and the execution
//   resumes where it was (see the engine's resumeExecutions): a task token still answers, a Wait
//   waits what remains, timeouts and heartbeats count from when the task started, a task that was
//   running failed as one whose worker vanished. A last line cut short by a crash is skipped with
//   a warning (the file is cut back to its whole lines). The journal is removed once the
//   execution's end is in executions.jsonl.
// - closed executions (executions.jsonl): a JSON snapshot with the whole history per line,
//   appended when an execution ends (and, for Express executions, when it starts: those have no
//   journal and come back FAILED, as AWS gives them no durability either); read back at start. The
//   file is compacted to what the engine still holds (its retention forgets the oldest closed
//   executions) at start and whenever what was appended since outweighs what the last compaction
//   kept, so it stays within about twice the engine's own size.
// - state machines made with CreateStateMachine (state-machines.json): a stack's machines are made
//   again by its deploy, but nothing else would bring these back, and their executions would be
//   out of reach of ListExecutions.
// Every rewrite goes to a temporary file, synced, then renamed over the old one: a crash leaves
// the old file or the new one, never half of either.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { crashNow, crashPoint } from '../../crash-hook.js';
import type { ExecutionSnapshot, ExecutionStatus, JsonValue, StepFunctionsEngine } from './engine/index.js';
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
  /**
   * Flush every record of a running execution's journal to the disk (fdatasync) before the execution
   * goes on: survives a crash of the machine, not only of the process. Default false: each record is
   * written (so a `kill -9` loses nothing) and the operating system flushes it when it will.
   */
  sync?: boolean;
  /** Where warnings go (a half-written record skipped). */
  log?: (line: string) => void;
}

const DEFAULT_COMPACT_AFTER_BYTES = 16 * 1024 * 1024;
const OPEN_JOURNALS = 256;

/** The first line of a running execution's journal: everything of its snapshot but its history. */
type JournalHeader = Omit<ExecutionSnapshot, 'history' | 'status'>;
type JournalLine =
  { execution: JournalHeader } | { event: ExecutionSnapshot['history'][number] } | { marker: string; value: JsonValue };

/** What the journal found at start: executions read back, and those that resume. */
export interface RestoreReport {
  /** Executions read back (closed and running). */
  restored: number;
  /** Standard executions that were running and resume (held until their state machine is there). */
  resuming: number;
  /** Executions that were running and could not resume (Express ones, or without a journal): failed. */
  failed: number;
  /** Records cut short by a crash, skipped. */
  tornRecords: number;
}

const TERMINAL: Partial<Record<string, ExecutionStatus>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

export class ExecutionJournal {
  /** Executions read back when the journal was opened. */
  readonly restored: number;
  readonly report: RestoreReport;
  private fd: number;
  private appendedBytes = 0;
  private keptBytes = 0;
  private compactions = 0;
  private readonly compactAfterBytes: number;
  private readonly sync: boolean;
  private readonly log: (line: string) => void;
  private readonly runningDir: string;
  /** The journal file of each running Standard execution. */
  private readonly journals = new Map<string, string>();
  private readonly unsubscribe: () => void;

  /** Restores what `file` and the running executions' journals hold into the engine, compacts the file, and journals from then on. */
  static open(engine: StepFunctionsEngine, file: string, options: ExecutionJournalOptions = {}): ExecutionJournal {
    return new ExecutionJournal(engine, file, options);
  }

  private constructor(
    private readonly engine: StepFunctionsEngine,
    private readonly file: string,
    options: ExecutionJournalOptions,
  ) {
    this.compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
    this.sync = options.sync ?? false;
    this.log = options.log ?? (() => undefined);
    this.runningDir = join(dirname(file), 'executions');
    mkdirSync(this.runningDir, { recursive: true });
    this.report = this.restore();
    this.restored = this.report.restored;
    // What the engine holds now (retention may have forgotten some of what the file had) is the new file.
    this.keptBytes = writeFileAtomic(file, this.lines());
    this.fd = openSync(file, 'a');
    this.unsubscribe = engine.subscribe((n) => {
      const executionArn = n.type === 'executionStatus' ? n.execution.executionArn : n.executionArn;
      try {
        if (n.type === 'historyEvent') this.onEvent(n.executionArn, n.event);
        else if (n.type === 'marker') this.write(n.executionArn, { marker: n.key, value: n.value }, 'marker');
        else if (n.execution.status !== 'RUNNING') this.closed(executionArn);
        else if (!this.journals.has(executionArn)) this.append(engine.exportExecution(executionArn));
      } catch (e) {
        // A full disk, say: said once per execution, which goes on without its journal from here.
        if (this.journals.delete(executionArn) || n.type === 'executionStatus')
          this.log(
            `[states] the journal of ${executionArn} could not be written (${(e as Error).message}): it goes on, but will not resume after a restart`,
          );
        this.closeJournal(executionArn);
      }
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
  stats(): { appendedBytes: number; keptBytes: number; compactions: number; running: number } {
    return {
      appendedBytes: this.appendedBytes,
      keptBytes: this.keptBytes,
      compactions: this.compactions,
      running: this.journals.size,
    };
  }

  /** Stops journaling; what still runs stays in its journal (and resumes at the next start). */
  close(): void {
    this.unsubscribe();
    for (const arn of [...this.open.keys()]) this.closeJournal(arn);
    closeSync(this.fd);
  }

  /** What executions.jsonl holds: every execution but the running ones that have their own journal. */
  private *lines(): Generator<string> {
    for (const snapshot of this.engine.executionSnapshots((arn) => this.journals.has(arn)))
      yield JSON.stringify(snapshot) + '\n';
  }

  private append(snapshot: ExecutionSnapshot): void {
    this.appendedBytes += writeSync(this.fd, JSON.stringify(snapshot) + '\n');
    if (this.appendedBytes > Math.max(this.compactAfterBytes, this.keptBytes)) this.compact();
  }

  private journalFile(executionArn: string): string {
    return join(this.runningDir, `${createHash('sha256').update(executionArn).digest('hex').slice(0, 32)}.jsonl`);
  }

  private onEvent(executionArn: string, event: ExecutionSnapshot['history'][number] | { timestamp: Date }): void {
    const line = {
      ...event,
      timestamp: (event.timestamp as Date).toISOString(),
    } as ExecutionSnapshot['history'][number];
    if (line.type === 'ExecutionStarted') {
      const snapshot = this.engine.exportExecution(executionArn);
      if (snapshot.type !== 'STANDARD') return;
      const { history: _history, status: _status, ...header } = snapshot;
      const file = this.journalFile(executionArn);
      this.journals.set(executionArn, file);
      // A new file, written before StartExecution answers: a crash that cuts it short cut the
      // StartExecution short too (no one was told of the execution), and the file is skipped.
      const fd = openSync(file, 'w');
      this.open.set(executionArn, fd);
      if (this.open.size > OPEN_JOURNALS) this.closeJournal(this.open.keys().next().value!);
      writeSync(fd, JSON.stringify({ execution: header }) + '\n' + JSON.stringify({ event: line }) + '\n');
      if (this.sync) fdatasyncSync(fd);
      return;
    }
    this.write(executionArn, { event: line }, line.type);
  }

  /** Appends a record to a running execution's journal before the execution goes on. */
  private write(executionArn: string, record: JournalLine, kind: string): void {
    const file = this.journals.get(executionArn);
    if (!file) return;
    const text = JSON.stringify(record) + '\n';
    const crash = crashPoint('states', kind);
    const fd = this.fdOf(executionArn, file);
    if (crash?.torn) {
      writeSync(fd, text.slice(0, Math.floor(text.length / 2)));
      crashNow();
    }
    writeSync(fd, text);
    if (this.sync) fdatasyncSync(fd);
    if (crash) crashNow();
  }

  /** The open journal files of the executions that wrote last (at most OPEN_JOURNALS: thousands may wait). */
  private readonly open = new Map<string, number>();

  private fdOf(executionArn: string, file: string): number {
    let fd = this.open.get(executionArn);
    if (fd !== undefined) {
      // Most recently used last.
      this.open.delete(executionArn);
      this.open.set(executionArn, fd);
      return fd;
    }
    fd = openSync(file, 'a');
    this.open.set(executionArn, fd);
    if (this.open.size > OPEN_JOURNALS) this.closeJournal(this.open.keys().next().value!);
    return fd;
  }

  private closeJournal(executionArn: string): void {
    const fd = this.open.get(executionArn);
    if (fd === undefined) return;
    this.open.delete(executionArn);
    closeSync(fd);
  }

  /** An execution ended: its snapshot goes to executions.jsonl, then its journal goes. */
  private closed(executionArn: string): void {
    // No longer a running one with its own journal first: a compaction the append starts keeps it.
    const file = this.journals.get(executionArn);
    this.journals.delete(executionArn);
    this.append(this.engine.exportExecution(executionArn));
    if (!file) return;
    this.closeJournal(executionArn);
    try {
      unlinkSync(file);
    } catch {
      // Already gone.
    }
  }

  /** Loads the last snapshot of each execution, and the running ones' journals, into the engine. */
  private restore(): RestoreReport {
    const report: RestoreReport = { restored: 0, resuming: 0, failed: 0, tornRecords: 0 };
    const latest = new Map<string, ExecutionSnapshot>();
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
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
    }
    const journaled = new Map<
      string,
      { snapshot: ExecutionSnapshot; markers: Record<string, JsonValue>; file: string }
    >();
    for (const name of readdirSync(this.runningDir)) {
      if (!name.endsWith('.jsonl')) continue;
      const file = join(this.runningDir, name);
      const read = this.readJournal(file, report);
      if (!read) continue;
      const closed = latest.get(read.snapshot.executionArn);
      if (closed && closed.status !== 'RUNNING') {
        // It ended, and executions.jsonl has it: the journal was about to go.
        unlinkSync(file);
        continue;
      }
      if (read.snapshot.status !== 'RUNNING') {
        latest.delete(read.snapshot.executionArn);
        latest.set(read.snapshot.executionArn, read.snapshot);
        unlinkSync(file);
        continue;
      }
      latest.delete(read.snapshot.executionArn);
      journaled.set(read.snapshot.executionArn, { ...read, file });
    }
    // Closed ones in the order they closed, so the engine's retention forgets the oldest; then those
    // that were running without a journal (Express), which close (failed) now; then those that resume.
    const closed = [...latest.values()]
      .filter((s) => s.status !== 'RUNNING')
      .sort((a, b) => Date.parse(a.stopDate ?? a.startDate) - Date.parse(b.stopDate ?? b.startDate));
    const running = [...latest.values()].filter((s) => s.status === 'RUNNING');
    for (const snapshot of [...closed, ...running]) {
      this.importOrThrow(snapshot, () => this.engine.importExecution(snapshot, { running: 'fail' }), this.file);
    }
    report.failed = running.length;
    for (const { snapshot, markers, file } of journaled.values()) {
      this.importOrThrow(snapshot, () => this.engine.importExecution(snapshot, { running: 'resume', markers }), file);
      if (this.engine.describeExecution(snapshot.executionArn).status === 'RUNNING') {
        this.journals.set(snapshot.executionArn, file);
        report.resuming++;
      } else {
        // It could not resume (its definition is refused now): it closed, failed, saying why; the
        // compaction that follows writes that to executions.jsonl.
        unlinkSync(file);
        report.failed++;
      }
    }
    report.restored = latest.size + journaled.size;
    return report;
  }

  private importOrThrow(snapshot: ExecutionSnapshot, load: () => void, file: string): void {
    try {
      load();
    } catch (e) {
      throw new Error(`Cannot restore the execution ${snapshot.executionArn} from ${file}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /** A running execution's journal as a snapshot (closed when its end is in it); a torn last record is cut off. */
  private readJournal(
    file: string,
    report: RestoreReport,
  ): { snapshot: ExecutionSnapshot; markers: Record<string, JsonValue> } | undefined {
    const text = readFileSync(file, 'utf8');
    let header: JournalHeader | undefined;
    const history: ExecutionSnapshot['history'] = [];
    const markers: Record<string, JsonValue> = {};
    let offset = 0;
    while (offset < text.length) {
      const end = text.indexOf('\n', offset);
      const line = end < 0 ? text.slice(offset) : text.slice(offset, end);
      let record: JournalLine | undefined;
      try {
        record = end < 0 ? undefined : (JSON.parse(line) as JournalLine);
      } catch {
        record = undefined;
      }
      if (!record) {
        // A record a crash cut short (the last one, not ended by a newline, or not JSON): what came
        // before stands; the file is cut back to it so that what follows is appended to whole lines.
        report.tornRecords++;
        this.log(
          `[states] ${file}: a half-written record at byte ${Buffer.byteLength(text.slice(0, offset))} (${Buffer.byteLength(text) - Buffer.byteLength(text.slice(0, offset))} bytes, written when the local cloud stopped) was skipped; the execution resumes from the record before it`,
        );
        truncateSync(file, Buffer.byteLength(text.slice(0, offset)));
        break;
      }
      if ('execution' in record) header = record.execution;
      else if ('event' in record) history.push(record.event);
      else markers[record.marker] = record.value;
      offset = end + 1;
    }
    if (!header || history.length === 0) {
      this.log(`[states] ${file}: not an execution's journal (no first record); left as it is`);
      return undefined;
    }
    const last = history[history.length - 1]!;
    const status = TERMINAL[last.type];
    if (!status) return { snapshot: { ...header, status: 'RUNNING', history }, markers };
    const details = (last.executionSucceededEventDetails ??
      last.executionFailedEventDetails ??
      last.executionTimedOutEventDetails ??
      last.executionAbortedEventDetails ??
      {}) as { output?: string; error?: string; cause?: string };
    return {
      snapshot: {
        ...header,
        status,
        stopDate: last.timestamp,
        ...(details.output !== undefined ? { output: details.output } : {}),
        ...(details.error !== undefined ? { error: details.error } : {}),
        ...(details.cause !== undefined ? { cause: details.cause } : {}),
        history,
      },
      markers,
    };
  }
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
