// Rule 2: the extension routes events of the contract: at least one rule of its own on the
// Serverlesspresso bus whose pattern matches an event of the contract, no rule on the bus that
// matches none (a dead rule), and what it declares it puts is in the contract and in its code.
import { BUS_NAME, EVENT_SOURCE } from '@serverlesspresso/catalog';
import type { AppScan } from '@serverlesspresso/catalog/bus';
import type { Violation } from './violation.js';

export function checkRule2(scan: AppScan): Violation[] {
  const violations: Violation[] = scan.findings.map((f) => ({ ...f, rule: 2 }));
  const live = scan.rules.filter((r) => !r.invalid && r.matches.length > 0);
  if (live.length === 0 && scan.rules.length === 0) {
    violations.push({
      rule: 2,
      file: scan.app.path,
      resource: '(template)',
      property: 'Resources',
      message: `has no rule on the ${BUS_NAME} bus, so it reacts to nothing the coffee bar does`,
      fix: `give a function (or state machine) an EventBridgeRule event with EventBusName: !Ref EventBusName and a Pattern such as { source: [${EVENT_SOURCE}], detail-type: [OrderManager.MakeOrder] } (every event: extensibility/catalog/CATALOG.md)`,
    });
  }
  return violations;
}

/** The events of the contract the extension's rules match, for the report. */
export function consumedEvents(scan: AppScan): string[] {
  return [...new Set(scan.rules.flatMap((r) => r.matches.map((m) => m.entry.detailType)))].sort();
}
