// The events of one SAM function or state machine as deployed: what each event made (a rule, a
// stream mapping...) and how to remove it. SAM generates a resource per event (a rule, an event
// source mapping) and CloudFormation touches only those that changed; so does a redeploy here: an
// unchanged event is left alone, a changed rule or mapping is updated in place (same rule name,
// same mapping UUID: its position in the stream kept), any other changed event is removed and wired
// anew, and an event the template no longer has is removed.
import { isDeepStrictEqual } from 'node:util';
import type { EventsService } from '../../services/events/service.js';
import type { SamEvent } from '../template/index.js';
import type { DeployContext } from '../model.js';
import { busName, removeTargets } from './events.js';

type Undo = () => Promise<void> | void;

/** Wires these events (the handler's loop over its events), registering their removal with ctx.onDelete. */
export type WireEvents = (events: SamEvent[], ctx: DeployContext) => Promise<void>;

interface Wired {
  event: SamEvent;
  undo: Undo[];
}

/** What an event makes, when it can be updated in place: the same key is the same rule or mapping. */
function identity(event: SamEvent): string | undefined {
  if (event.kind === 'rule') return `rule ${busName(event.eventBusName)}/${event.ruleName}`;
  if (event.kind === 'dynamodb' || event.kind === 'sqs') return `mapping ${event.mappingLogicalId}`;
  return undefined;
}

export class SamEvents {
  /** By event name. */
  private readonly wired = new Map<string, Wired>();
  /** Events the template no longer has, removed once the deploy succeeds (a rollback wires them back). */
  private readonly leaving = new Map<string, Wired>();

  constructor(private readonly events: EventsService) {}

  /** Wires every event (a first deploy). */
  async create(events: SamEvent[], ctx: DeployContext, wire: WireEvents): Promise<void> {
    for (const event of events) await this.wire(event, ctx, wire);
  }

  /** Makes what is wired into `events`, touching only what changed (see the top of this file). */
  async update(events: SamEvent[], ctx: DeployContext, wire: WireEvents): Promise<void> {
    for (const event of events) {
      const before = this.wired.get(event.name) ?? this.leaving.get(event.name);
      this.leaving.delete(event.name);
      if (before && isDeepStrictEqual(before.event, event)) {
        this.wired.set(event.name, before);
        continue;
      }
      const key = identity(event);
      if (before && key !== undefined && key === identity(before.event)) {
        await this.wire(event, ctx, wire, before);
        // A rule that kept its name may have changed its target's Id: the old target goes.
        if (before.event.kind === 'rule' && event.kind === 'rule' && before.event.targetId !== event.targetId) {
          await removeTargets(this.events, busName(event.eventBusName), event.ruleName, [before.event.targetId]);
        }
      } else {
        if (before) await this.run(before);
        await this.wire(event, ctx, wire);
      }
    }
    const wanted = new Set(events.map((e) => e.name));
    for (const [name, wired] of [...this.wired].reverse()) {
      if (wanted.has(name)) continue;
      this.wired.delete(name);
      this.leaving.set(name, wired);
      ctx.cleanup(async () => {
        if (this.leaving.get(name) !== wired) return; // wired back meanwhile
        this.leaving.delete(name);
        await this.run(wired);
      });
    }
  }

  /** Removes everything the events made (the resource goes). */
  async removeAll(): Promise<void> {
    const all = [...this.leaving.values(), ...this.wired.values()].reverse();
    this.wired.clear();
    this.leaving.clear();
    let failure: unknown;
    for (const wired of all) await this.run(wired).catch((e: unknown) => void (failure ??= e));
    if (failure) throw failure as Error;
  }

  /**
   * Wires one event, its removal steps recorded as its own. Updating in place (`replacing`), the old
   * steps are dropped once the new ones are registered: they would remove what was just updated.
   */
  private async wire(event: SamEvent, ctx: DeployContext, wire: WireEvents, replacing?: Wired): Promise<void> {
    const undo: Undo[] = [];
    try {
      await wire([event], { ...ctx, onDelete: (step) => void undo.push(step) });
    } finally {
      // Even a failed wiring records what it made, so that it is removed or rolled back; an update
      // in place that made nothing leaves the event as it was.
      this.wired.set(event.name, undo.length > 0 || !replacing ? { event, undo } : replacing);
    }
  }

  /** Runs an event's removal steps, every one even if one fails. */
  private async run(wired: Wired): Promise<void> {
    let failure: unknown;
    for (const step of [...wired.undo].reverse()) {
      try {
        await step();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure as Error;
  }
}
