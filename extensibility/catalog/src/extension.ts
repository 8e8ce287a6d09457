// extension.json: what an extension says of itself (name, description, author, events consumed and
// produced, AWS services), beside its template.yaml and valid against extension.schema.json. The
// contract checker checks it against the template (meta.extension-json); the catalog and
// extensions/README.md render it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import extensionSchema from '../extension.schema.json' with { type: 'json' };

const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;

export { extensionSchema };

export const EXTENSION_FILE = 'extension.json';

export interface ExtensionMeta {
  name: string;
  description: string;
  author: string;
  events: { consumed: string[]; produced: string[] };
  services: string[];
}

export interface ExtensionMetaRead {
  /** The metadata, when the file exists, parses and is valid. */
  meta?: ExtensionMeta;
  /** Why it is not: each names where in the file (a JSON pointer) and what is wrong. */
  errors: Array<{ path: string; message: string }>;
}

const validate = new Ajv({ allErrors: true, strict: true }).compile<ExtensionMeta>(extensionSchema);

/** Validates a parsed extension.json. */
export function validateExtensionMeta(value: unknown): ExtensionMetaRead {
  if (validate(value)) return { meta: value, errors: [] };
  return {
    errors: (validate.errors ?? []).map((e) => {
      const p = e.params as Record<string, unknown>;
      const path = e.instancePath || '/';
      if (e.keyword === 'required')
        return { path: `${e.instancePath}/${String(p.missingProperty)}`, message: 'is required but missing' };
      if (e.keyword === 'additionalProperties')
        return {
          path: `${e.instancePath}/${String(p.additionalProperty)}`,
          message: 'is not a field of extension.json',
        };
      if (e.keyword === 'enum')
        return {
          path,
          message: `must be one of ${(p.allowedValues as string[]).map((v) => JSON.stringify(v)).join(', ')}`,
        };
      return { path, message: e.message ?? e.keyword };
    }),
  };
}

/** Reads and validates `dir`/extension.json. */
export function readExtensionMeta(dir: string): ExtensionMetaRead {
  const file = join(dir, EXTENSION_FILE);
  if (!existsSync(file)) return { errors: [{ path: '', message: `${EXTENSION_FILE} is missing` }] };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { errors: [{ path: '', message: `${EXTENSION_FILE} is not JSON: ${(e as Error).message}` }] };
  }
  return validateExtensionMeta(value);
}
