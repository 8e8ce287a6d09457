// One Node everywhere: the Node that runs the tests (the repo's, from npm) is the major every
// function of every app runs on in AWS, and the one the local sandboxes emulate. A template left on
// another runtime, or a test run on another Node, fails here rather than behaving differently in AWS.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseTemplateText } from '../../src/stacks/template/index.js';

const root = new URL('../../../../', import.meta.url).pathname;
const major = process.versions.node.split('.')[0]!;
const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

/** Every app template of the repo: what `sam build` and `presso deploy DIR` take (template.yaml/yml/json). */
function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory())
      return ['node_modules', '.aws-sam', '.git'].includes(entry.name) ? [] : templates(join(dir, entry.name));
    return /^template\.(ya?ml|json)$/.test(entry.name) ? [join(dir, entry.name)] : [];
  });
}

type Template = {
  Globals?: { Function?: { Runtime?: unknown } };
  Resources?: Record<string, { Type?: string; Properties?: { Runtime?: unknown } }>;
};

/** `file: Logical -> runtime` for every function of every template (its own Runtime, else Globals'). */
function runtimes(): string[] {
  return templates(root).flatMap((file) => {
    const template = parseTemplateText(readFileSync(file, 'utf8'), file) as Template;
    const global = template.Globals?.Function?.Runtime;
    return Object.entries(template.Resources ?? {})
      .filter(([, resource]) => FUNCTION_TYPES.has(resource.Type ?? ''))
      .map(([logicalId, resource]) => {
        const runtime = resource.Properties?.Runtime ?? global;
        return `${relative(root, file)}: ${logicalId} -> ${typeof runtime === 'string' ? runtime : JSON.stringify(runtime)}`;
      });
  });
}

describe('the repo runs one Node major', () => {
  it(`deploys every function of every template on nodejs${major}.x`, () => {
    const all = runtimes();
    // The core, the player, every extension, the model and the test fixtures: well over a few.
    expect(all.length).toBeGreaterThan(30);
    expect(all.filter((line) => !line.endsWith(` -> nodejs${major}.x`))).toEqual([]);
  });

  it(`pins Node ${major} in the root package.json, for every platform npm installs it on`, () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      optionalDependencies?: Record<string, string>;
    };
    const pins = Object.entries(pkg.optionalDependencies ?? {}).filter(([name]) => name.startsWith('node-'));
    expect(pins.length).toBeGreaterThan(0);
    // One release for all, the one running these tests when it came from npm.
    expect(new Set(pins.map(([, version]) => version)).size).toBe(1);
    expect(pins[0]![1].split('.')[0]).toBe(major);
  });
});
