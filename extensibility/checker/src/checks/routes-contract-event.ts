// 2.routes-contract-event: the extension has at least one rule of its own on the Serverlesspresso
// bus, and every rule it has there is valid and matches an event of the contract (no dead rule).
import { BUS_NAME, EVENT_SOURCE } from '@serverlesspresso/catalog';
import type { AppScan, Finding } from '@serverlesspresso/catalog/bus';
import { violationOf, type Violation } from '../violation.js';

/** The scan's findings about rules' patterns (invalid, dead): the others are about what it puts. */
export const isPatternFinding = (f: Finding): boolean => /\.(Event)?Pattern$/.test(f.property);

export function routesContractEvent(scan: AppScan): Violation[] {
  const violations = scan.findings.filter(isPatternFinding).map((f) => violationOf('2.routes-contract-event', f));
  if (scan.rules.length === 0) {
    violations.push(
      violationOf('2.routes-contract-event', {
        file: scan.app.path,
        resource: '(template)',
        property: 'Resources',
        message: `has no rule on the ${BUS_NAME} bus, so it reacts to nothing the coffee bar does`,
        fix: `give a function (or state machine) an EventBridgeRule event with EventBusName: !Ref EventBusName and a Pattern such as { source: [${EVENT_SOURCE}], detail-type: [OrderManager.MakeOrder] } (every event: extensibility/catalog/CATALOG.md)`,
      }),
    );
  }
  return violations;
}

/** The events of the contract the extension's rules match, for the report. */
export function consumedEvents(scan: AppScan): string[] {
  return [...new Set(scan.rules.flatMap((r) => r.matches.map((m) => m.entry.detailType)))].sort();
}
