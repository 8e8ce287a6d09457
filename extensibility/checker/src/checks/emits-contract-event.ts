// 2.emits-contract-event: what the extension declares it puts on the bus (functions'
// Metadata.Emits, state machines' putEvents tasks) is in the contract, and Emits agrees with the
// function's code and policies (the catalog's scan finds it; here it gets its id).
import type { AppScan } from '@serverlesspresso/catalog/bus';
import { violationOf, type Violation } from '../violation.js';
import { isPatternFinding } from './routes-contract-event.js';

export const emitsContractEvent = (scan: AppScan): Violation[] =>
  scan.findings.filter((f) => !isPatternFinding(f)).map((f) => violationOf('2.emits-contract-event', f));

/** The detail-types it declares it puts, for the report. */
export const emittedEvents = (scan: AppScan): string[] => [...new Set(scan.producers.map((p) => p.detailType))].sort();
