// Counters per bus and per rule; they feed `presso stats` and, later, a cost estimate.
export interface Counts {
  put: number;
  matched: number;
  delivered: number;
  failed: number;
  deadLettered: number;
}

const zero = (): Counts => ({ put: 0, matched: 0, delivered: 0, failed: 0, deadLettered: 0 });

export class Counters {
  readonly buses = new Map<string, Counts>();
  readonly rules = new Map<string, Counts>();
  /** Events put on any bus, per detail-type (what `presso cost` counts orders by). */
  readonly detailTypes = new Map<string, number>();

  detailType(name: string): void {
    this.detailTypes.set(name, (this.detailTypes.get(name) ?? 0) + 1);
  }

  bus(name: string): Counts {
    let c = this.buses.get(name);
    if (!c) this.buses.set(name, (c = zero()));
    return c;
  }

  rule(arn: string): Counts {
    let c = this.rules.get(arn);
    if (!c) this.rules.set(arn, (c = zero()));
    return c;
  }

  snapshot(): { buses: Record<string, Counts>; rules: Record<string, Counts> } {
    return { buses: Object.fromEntries(this.buses), rules: Object.fromEntries(this.rules) };
  }
}
