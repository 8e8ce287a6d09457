// CloudWatch alarms on SQS queue metrics (AWS/SQS ApproximateNumberOfMessagesVisible, ...NotVisible,
// ...Delayed, by the QueueName dimension): the metric is sampled from the queue once a Period on
// the local clock, and the state computed as CloudWatch does from the last EvaluationPeriods
// datapoints: ALARM when DatapointsToAlarm of them breach the threshold, OK otherwise,
// INSUFFICIENT_DATA until there are enough (or while the queue does not exist, unless
// TreatMissingData says otherwise). Alarms on other metrics are recorded, not evaluated. No actions
// are run: a state change is logged.
import type { TimeScale } from '../../time.js';
import type { Queue } from '../sqs/queue.js';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export const COMPARISONS = {
  GreaterThanOrEqualToThreshold: (v: number, t: number) => v >= t,
  GreaterThanThreshold: (v: number, t: number) => v > t,
  LessThanThreshold: (v: number, t: number) => v < t,
  LessThanOrEqualToThreshold: (v: number, t: number) => v <= t,
} as const;

export type Comparison = keyof typeof COMPARISONS;

/** The SQS metrics evaluated locally, read from a queue's counts. */
export const QUEUE_METRICS: Record<string, (q: Queue) => number> = {
  ApproximateNumberOfMessagesVisible: (q) => q.counts().visible,
  ApproximateNumberOfMessagesNotVisible: (q) => q.counts().notVisible,
  ApproximateNumberOfMessagesDelayed: (q) => q.counts().delayed,
};

export interface AlarmSpec {
  name: string;
  stack: string;
  logicalId: string;
  namespace: string;
  metricName: string;
  /** The QueueName dimension, for an AWS/SQS metric. */
  queueName?: string;
  comparison: Comparison;
  threshold: number;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
}

export interface AlarmView extends AlarmSpec {
  state: AlarmStateValue;
  reason: string;
  /** The latest datapoints, oldest first (undefined: missing). */
  datapoints: Array<number | undefined>;
  evaluated: boolean;
}

class Alarm {
  state: AlarmStateValue = 'INSUFFICIENT_DATA';
  reason = 'Unchecked: Initial alarm creation';
  readonly datapoints: Array<number | undefined> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: AlarmSpec,
    private readonly queue: (name: string) => Queue | undefined,
    private readonly time: TimeScale,
    private readonly log: (line: string) => void,
  ) {
    const read = QUEUE_METRICS[spec.metricName];
    if (spec.namespace !== 'AWS/SQS' || !read || spec.queueName === undefined) {
      this.reason = `Not evaluated locally: only the AWS/SQS metrics ${Object.keys(QUEUE_METRICS).join(', ')} with a QueueName dimension are`;
      return;
    }
    this.timer = setInterval(() => this.sample(read), Math.max(10, time.scaled(spec.period * 1000)));
    this.timer.unref();
  }

  get evaluated(): boolean {
    return this.timer !== undefined;
  }

  private sample(read: (q: Queue) => number): void {
    const queue = this.queue(this.spec.queueName!);
    this.datapoints.push(queue ? read(queue) : undefined);
    if (this.datapoints.length > this.spec.evaluationPeriods) this.datapoints.shift();
    this.evaluate();
  }

  private evaluate(): void {
    const s = this.spec;
    const compare = COMPARISONS[s.comparison];
    const present = this.datapoints.filter((d): d is number => d !== undefined);
    let breaching = present.filter((d) => compare(d, s.threshold)).length;
    const missing = this.datapoints.length - present.length;
    if (s.treatMissingData === 'breaching') breaching += missing;
    let next: AlarmStateValue;
    if (this.datapoints.length < s.evaluationPeriods) next = this.state;
    else if (breaching >= s.datapointsToAlarm) next = 'ALARM';
    else if (present.length === 0 && (s.treatMissingData === 'missing' || s.treatMissingData === 'ignore'))
      next = s.treatMissingData === 'ignore' ? this.state : 'INSUFFICIENT_DATA';
    else next = 'OK';
    if (next === this.state) return;
    const shown = this.datapoints.map((d) => (d === undefined ? 'missing' : String(d))).join(', ');
    this.reason =
      next === 'INSUFFICIENT_DATA'
        ? `Insufficient Data: ${missing} datapoints were unknown.`
        : `Threshold Crossed: ${breaching} out of the last ${s.evaluationPeriods} datapoints [${shown}] ${
            next === 'ALARM' ? 'were' : 'were not'
          } ${s.comparison
            .replace(/([A-Z])/g, ' $1')
            .trim()
            .toLowerCase()} (${s.threshold}).`;
    this.log(`[cloudwatch] alarm ${s.name}: ${this.state} -> ${next}: ${this.reason}`);
    this.state = next;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Every alarm of the local cloud, by name. */
export class Alarms {
  private readonly alarms = new Map<string, Alarm>();

  constructor(
    private readonly deps: {
      queue: (name: string) => Queue | undefined;
      time: TimeScale;
      log: (line: string) => void;
    },
  ) {}

  has(name: string): boolean {
    return this.alarms.has(name);
  }

  /** Creates or replaces an alarm (PutMetricAlarm); a replaced one starts over. */
  put(spec: AlarmSpec): void {
    this.remove(spec.name);
    this.alarms.set(spec.name, new Alarm(spec, this.deps.queue, this.deps.time, this.deps.log));
  }

  remove(name: string): void {
    this.alarms.get(name)?.stop();
    this.alarms.delete(name);
  }

  list(stack?: string): AlarmView[] {
    return [...this.alarms.values()]
      .filter((a) => stack === undefined || a.spec.stack === stack)
      .map((a) => ({
        ...a.spec,
        state: a.state,
        reason: a.reason,
        datapoints: [...a.datapoints],
        evaluated: a.evaluated,
      }));
  }

  close(): void {
    for (const a of this.alarms.values()) a.stop();
    this.alarms.clear();
  }
}
