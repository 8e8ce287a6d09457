// Executions that outlive the local cloud: with a data dir, every execution is journaled when it
// starts and when it ends (a JSON snapshot with its whole history per line), and the journal is read
// back at start. An execution that was still running when the cloud stopped comes back FAILED with a
// cause that says why: its timers and task tokens did not survive, and running it again from the
// start would emit its events twice.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutionSnapshot, StepFunctionsEngine } from './engine/index.js';

export class ExecutionJournal {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly engine: StepFunctionsEngine,
    private readonly file: string,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.unsubscribe = engine.subscribe((n) => {
      if (n.type === 'executionStatus') this.append(engine.exportExecution(n.execution.executionArn));
      else if (n.type === 'historyEvent' && n.event.type === 'ExecutionStarted') this.append(engine.exportExecution(n.executionArn));
    });
  }

  /** Loads what the journal holds into the engine (the last snapshot of each execution) and compacts it. */
  static restore(engine: StepFunctionsEngine, file: string): number {
    if (!existsSync(file)) return 0;
    const latest = new Map<string, ExecutionSnapshot>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const snapshot = JSON.parse(line) as ExecutionSnapshot;
        latest.set(snapshot.executionArn, snapshot);
      } catch {
        // A line cut short by a crash: the snapshot before it stands.
      }
    }
    for (const snapshot of latest.values()) engine.importExecution(snapshot, { running: 'fail' });
    const compacted = `${file}.compact`;
    writeFileSync(compacted, [...latest.keys()].map((arn) => JSON.stringify(engine.exportExecution(arn))).join('\n') + (latest.size ? '\n' : ''));
    renameSync(compacted, file);
    return latest.size;
  }

  /** Stops journaling; what still runs is journaled as running (and restored as failed). */
  close(): void {
    this.unsubscribe();
  }

  private append(snapshot: ExecutionSnapshot): void {
    appendFileSync(this.file, JSON.stringify(snapshot) + '\n');
  }
}
