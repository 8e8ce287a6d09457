// validateEvent: is this envelope an event of the contract? Every error names the field (as a JSON
// pointer into the envelope) and says what was expected.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import envelopeSchema from '../envelope.schema.json' with { type: 'json' };
import { contract, contractEntryFor, type ContractEntry } from './contract.js';

// ajv and ajv-formats are CommonJS with a default export: under NodeNext the class and the plugin
// sit on .default when imported from ESM (typed that way), but plain ESM loaders may unwrap it.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;
const addFormats =
  (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default ?? addFormatsModule;

export interface ValidationError {
  /** JSON pointer into the envelope, e.g. "/detail/drinkOrder/drink". */
  path: string;
  message: string;
}

export interface Verdict {
  valid: boolean;
  /** The contract entry the detail-type belongs to, when it is known. */
  entry?: ContractEntry;
  errors: ValidationError[];
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
ajv.addKeyword('x-detail-type');
ajv.addKeyword('x-owner');
ajv.addKeyword('x-also-put-by');
addFormats(ajv, ['date-time']);
const validateEnvelope = ajv.compile(envelopeSchema);
// Compiled once: validation runs per event in tests, the CLI and the catalog.
const detailValidators = new Map<string, ValidateFunction>(contract.map((e) => [e.name, ajv.compile(e.schema)]));

function describe(e: ErrorObject, base: string): ValidationError {
  const at = `${base}${e.instancePath}`;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${at}/${String(p.missingProperty)}`, message: 'is required but missing' };
    case 'additionalProperties':
      return {
        path: `${at}/${String(p.additionalProperty)}`,
        message: 'is not a field of this event (unknown fields are not allowed here)',
      };
    case 'type':
      return { path: at || '/', message: `must be of type ${String(p.type)}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'enum':
      return {
        path: at,
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path: at || '/', message: e.message ?? e.keyword };
  }
}

/** Validates an EventBridge envelope against the contract: the envelope, the detail-type, the detail. */
export function validateEvent(envelope: unknown): Verdict {
  const errors: ValidationError[] = [];
  if (!validateEnvelope(envelope)) {
    errors.push(...(validateEnvelope.errors ?? []).map((e) => describe(e, '')));
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return { valid: false, errors: [{ path: '/', message: 'must be an EventBridge envelope (a JSON object)' }] };
  }
  const { 'detail-type': detailType, detail } = envelope as { 'detail-type'?: unknown; detail?: unknown };
  if (typeof detailType !== 'string') return { valid: false, errors };
  const entry = contractEntryFor(detailType);
  if (!entry) {
    errors.push({
      path: '/detail-type',
      message: `"${detailType}" is not a detail-type of the Serverlesspresso contract`,
    });
    return { valid: false, errors };
  }
  if (typeof detail === 'object' && detail !== null && !Array.isArray(detail)) {
    const validateDetail = detailValidators.get(entry.name)!;
    if (!validateDetail(detail)) errors.push(...(validateDetail.errors ?? []).map((e) => describe(e, '/detail')));
    const embedded = entry.match(detailType)?.embedded;
    const field = entry.embeds;
    if (field && embedded !== undefined) {
      const value = (detail as Record<string, unknown>)[field];
      if (typeof value === 'string' && value !== embedded) {
        errors.push({
          path: `/detail/${field}`,
          message: `is "${value}" but the detail-type "${detailType}" embeds "${embedded}"`,
        });
      }
    }
  }
  return { valid: errors.length === 0, entry, errors };
}

/** Throws with every error listed when the envelope is not a valid event; for tests and producers. */
export function assertValidEvent(envelope: unknown): void {
  const verdict = validateEvent(envelope);
  if (!verdict.valid) {
    const dt = (envelope as { 'detail-type'?: unknown } | null)?.['detail-type'];
    throw new Error(
      `invalid ${String(dt)} event:\n${verdict.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`,
    );
  }
}
