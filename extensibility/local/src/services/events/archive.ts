// Every accepted event is appended, before PutEvents answers, to a JSON Lines file per bus under the
// data directory: `presso events` lists and tails it, and later a stretch of trading can be
// recorded from it and replayed.
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EventEmitter } from 'node:events';
import { writeRecord } from '../../crash-hook.js';
import type { EventEnvelope } from './model.js';

export interface ArchivedEvent {
  bus: string;
  event: EventEnvelope;
}

export class EventArchive {
  private readonly files = new Map<string, number>();
  private readonly emitter = new EventEmitter();
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'events');
    mkdirSync(this.dir, { recursive: true });
    this.emitter.setMaxListeners(0);
  }

  private fileOf(bus: string): string {
    return join(this.dir, `${encodeURIComponent(bus)}.jsonl`);
  }

  /** Appends synchronously, one write per batch: once PutEvents has answered, the events are on disk. */
  append(bus: string, events: EventEnvelope[]): void {
    if (events.length === 0) return;
    let fd = this.files.get(bus);
    if (fd === undefined) {
      fd = openSync(this.fileOf(bus), 'a');
      this.files.set(bus, fd);
    }
    writeRecord(fd, 'events', 'archive', events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    for (const event of events) this.emitter.emit('event', { bus, event } satisfies ArchivedEvent);
  }

  buses(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => decodeURIComponent(f.slice(0, -'.jsonl'.length)));
  }

  /** The archived events of a bus, oldest first. */
  async *read(bus: string): AsyncGenerator<EventEnvelope> {
    for await (const line of this.lines(bus)) yield JSON.parse(line) as EventEnvelope;
  }

  /** The archived events of a bus as their JSON lines, oldest first (what reads a page parses only that page). */
  async *lines(bus: string): AsyncGenerator<string> {
    const file = this.fileOf(bus);
    if (!existsSync(file)) return;
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) if (line.trim() !== '') yield line;
  }

  /** Calls `listener` for every event archived from now on; returns the unsubscribe function. */
  subscribe(listener: (archived: ArchivedEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  close(): void {
    for (const fd of this.files.values()) closeSync(fd);
    this.files.clear();
  }
}
