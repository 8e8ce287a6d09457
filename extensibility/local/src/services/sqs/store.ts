// SQS messages outlive a restart and a crash when the data directory is the user's own (--data-dir):
// every change of a queue's messages is appended to <data-dir>/sqs/messages.jsonl, one line each,
// before the queue makes it (and so before SendMessage answers): a message sent, moved in (redrive
// to a dead-letter queue, a move task), received (its receive count, visibility and receipt handle),
// its visibility changed, deleted, a purge, and a FIFO deduplication id with its 5-minute window.
// Queues made with CreateQueue are written too (and come back at start); a stack's queues come back
// with its deploy, and then find their messages (by name). Times are the local clock's (--speed):
// each line carries the wall time it was written, so that a restart at another speed counts the
// time that is left as the new clock does. At start the file is read back (a last line a crash cut
// short is skipped) and rewritten to what is held; while running it is rewritten when what was
// appended since outweighs that by far.
import { closeSync, openSync } from 'node:fs';
import { readJsonLines } from '../../jsonl.js';
import { writeRecord } from '../../crash-hook.js';
import { writeFileAtomic } from '../states/journal.js';
import type { DedupEntry, Queue, QueueJournal, StoredMessage } from './queue.js';

/** What a queue made with CreateQueue was given (to make it again at start). */
export interface CreatedQueue {
  name: string;
  attributes: Record<string, unknown>;
  tags?: Record<string, string>;
}

type Line =
  | { clock: { origin: number; speed: number } }
  | { q: string; put: StoredMessage; dedup?: [id: string, entry: DedupEntry]; w: number }
  | {
      q: string;
      upd: [id: string, receiveCount: number, visibleAt: number, receipt?: string, firstReceiveAt?: number];
      w: number;
    }
  | { q: string; del: string; w: number }
  | { q: string; purge: 1; w: number }
  | { q: string; dedup: [id: string, entry: DedupEntry]; w: number }
  | { create: CreatedQueue; w: number }
  | { drop: string; w: number };

interface Held {
  messages: Map<string, StoredMessage>;
  dedup: Map<string, DedupEntry>;
}

const TIME_FIELDS = ['sentAt', 'enqueuedAt', 'visibleAt', 'firstReceiveAt'] as const;

export class SqsStore implements QueueJournal {
  private fd: number;
  private closed = false;
  /** What the file held for queues that do not exist (yet): a stack's, until it is deployed again. */
  private readonly waiting = new Map<string, Held>();
  private readonly created = new Map<string, CreatedQueue>();
  private appended = 0;
  private kept = 0;
  /** Messages restored into queues so far (for `presso up`'s report). */
  restoredMessages = 0;
  /** Lines a crash cut short, skipped at start. */
  readonly tornRecords: number;

  constructor(
    private readonly file: string,
    private readonly clock: { origin: number; speed: number; now: () => number },
    private readonly queues: () => Queue[],
    private readonly log: (line: string) => void = () => {},
  ) {
    this.tornRecords = this.read();
    this.rewrite();
    this.fd = openSync(file, 'a');
  }

  /** The queues made with CreateQueue before the restart, to make again. */
  createdQueues(): CreatedQueue[] {
    return [...this.created.values()];
  }

  /** A queue was made: it takes what the file held for its name, and writes its changes here. */
  attach(queue: Queue, created?: CreatedQueue): void {
    queue.journal = this;
    if (created) {
      this.created.set(queue.name, created);
      this.write({ create: created, w: Date.now() }, 'create');
    }
    const held = this.waiting.get(queue.name);
    if (!held) return;
    this.waiting.delete(queue.name);
    queue.restore([...held.messages.values()], [...held.dedup]);
    this.restoredMessages += held.messages.size;
  }

  /**
   * A queue made with CreateQueue was given attributes (SetQueueAttributes) or tags (TagQueue,
   * UntagQueue): what it is made with at start changes, written before the queue changes. A stack's
   * queue is not written (its deploy sets them again).
   */
  changed(name: string, change: { attributes?: Record<string, unknown>; tags?: Record<string, string> }): void {
    const created = this.created.get(name);
    if (!created) return;
    const attributes = { ...created.attributes, ...change.attributes };
    // An empty policy removes it: the queue is made again without one.
    for (const key of ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy'])
      if (attributes[key] === '') delete attributes[key];
    const tags = change.tags ?? created.tags;
    const next: CreatedQueue = { name, attributes, ...(tags && Object.keys(tags).length ? { tags } : {}) };
    this.write({ create: next, w: Date.now() }, change.tags ? 'tags' : 'attributes');
    this.created.set(name, next);
  }

  /** A queue was deleted: its messages go with it. */
  dropped(name: string): void {
    this.created.delete(name);
    this.waiting.delete(name);
    this.write({ drop: name, w: Date.now() }, 'drop');
  }

  /** Messages held for queues not made again yet. */
  get waitingMessages(): number {
    let n = 0;
    for (const held of this.waiting.values()) n += held.messages.size;
    return n;
  }

  put(queue: Queue, message: StoredMessage, dedup?: [string, DedupEntry]): void {
    this.write({ q: queue.name, put: message, ...(dedup ? { dedup } : {}), w: Date.now() }, 'put');
  }

  update(queue: Queue, m: StoredMessage): void {
    const upd: [string, number, number, string?, number?] = [m.messageId, m.receiveCount, m.visibleAt];
    if (m.receipt !== undefined || m.firstReceiveAt !== undefined) upd.push(m.receipt, m.firstReceiveAt);
    this.write({ q: queue.name, upd, w: Date.now() }, 'update');
  }

  remove(queue: Queue, messageId: string): void {
    this.write({ q: queue.name, del: messageId, w: Date.now() }, 'delete');
  }

  purge(queue: Queue): void {
    this.write({ q: queue.name, purge: 1, w: Date.now() }, 'purge');
  }

  /** Stops writing (the cloud stopping): what is on disk stays as it is. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private write(line: Line, record: string): void {
    if (this.closed) return;
    try {
      writeRecord(this.fd, 'sqs', record, JSON.stringify(line) + '\n');
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      this.log(`[sqs] ${this.file}: a write failed (${error.message}): the change was refused`);
      throw Object.assign(
        new Error(
          `The local cloud could not write to ${this.file} (${error.code ?? error.message}), so the change was not made and nothing was sent, received or deleted: free space on that disk and try again.`,
        ),
        { code: error.code },
      );
    }
    // Rewritten when what was appended outweighs what the last rewrite kept by far.
    if (++this.appended > 10_000 && this.appended > 4 * this.kept) {
      closeSync(this.fd);
      this.rewrite();
      this.fd = openSync(this.file, 'a');
    }
  }

  /** Reads the file into `waiting` and `created`; returns how many lines a crash cut short. */
  private read(): number {
    let torn = 0;
    let shift = 0;
    let old: { origin: number; speed: number } | undefined;
    let lastWall = 0;
    const held = (name: string): Held => {
      let h = this.waiting.get(name);
      if (!h) this.waiting.set(name, (h = { messages: new Map(), dedup: new Map() }));
      return h;
    };
    const parsed = readJsonLines<Line>(this.file, (lineNumber) => {
      torn++;
      this.log(
        `[sqs] ${this.file}: a half-written record on line ${lineNumber} (a crash cut it short) was skipped: the change it held is lost, as if it had not been made`,
      );
    });
    for (const line of parsed) if ('w' in line) lastWall = Math.max(lastWall, line.w);
    for (const line of parsed) {
      if ('clock' in line) {
        old = line.clock;
        continue;
      }
      if ('create' in line) this.created.set(line.create.name, line.create);
      else if ('drop' in line) {
        this.created.delete(line.drop);
        this.waiting.delete(line.drop);
      } else if ('put' in line) {
        const h = held(line.q);
        h.messages.delete(line.put.messageId);
        h.messages.set(line.put.messageId, line.put);
        if (line.dedup) h.dedup.set(...line.dedup);
      } else if ('upd' in line) {
        const message = held(line.q).messages.get(line.upd[0]);
        if (!message) continue;
        const [, receiveCount, visibleAt, receipt, firstReceiveAt] = line.upd;
        Object.assign(message, { receiveCount, visibleAt });
        if (receipt !== undefined) message.receipt = receipt;
        if (firstReceiveAt !== undefined) message.firstReceiveAt = firstReceiveAt;
      } else if ('del' in line) held(line.q).messages.delete(line.del);
      else if ('purge' in line) held(line.q).messages.clear();
      else if ('dedup' in line) held(line.q).dedup.set(...line.dedup);
    }
    // The old clock read `then` when the last line was written; the new one goes on from there,
    // the time the cloud was down counted at the new speed.
    if (old && lastWall) {
      const then = old.origin + (lastWall - old.origin) * old.speed;
      const downtime = (Date.now() - lastWall) * this.clock.speed;
      shift = this.clock.now() - downtime - then;
    }
    const now = this.clock.now();
    for (const [name, h] of this.waiting) {
      for (const message of h.messages.values())
        for (const field of TIME_FIELDS) if (message[field] !== undefined) message[field] += shift;
      for (const [id, entry] of h.dedup) {
        entry.expiresAt += shift;
        if (entry.expiresAt <= now) h.dedup.delete(id);
      }
      if (h.messages.size === 0 && h.dedup.size === 0) this.waiting.delete(name);
    }
    return torn;
  }

  /** Rewrites the file to what is held: the queues' messages and those still waiting for their queue. */
  private rewrite(): void {
    const w = Date.now();
    const lines: string[] = [JSON.stringify({ clock: { origin: this.clock.origin, speed: this.clock.speed } }) + '\n'];
    const add = (line: Line) => lines.push(JSON.stringify(line) + '\n');
    for (const create of this.created.values()) add({ create, w });
    const all: Array<[string, StoredMessage[], Array<[string, DedupEntry]>]> = [
      ...[...this.waiting].map(([name, h]): [string, StoredMessage[], Array<[string, DedupEntry]>] => [
        name,
        [...h.messages.values()],
        [...h.dedup],
      ]),
      ...this.queues().map((queue): [string, StoredMessage[], Array<[string, DedupEntry]>] => {
        const { messages, dedup } = queue.held();
        return [queue.name, messages, dedup];
      }),
    ];
    for (const [q, messages, dedup] of all) {
      for (const put of messages) add({ q, put, w });
      for (const entry of dedup) add({ q, dedup: entry, w });
    }
    writeFileAtomic(this.file, lines);
    this.kept = lines.length;
    this.appended = 0;
  }
}
