// The bus adapter (_extension_model/src/adapters/bus.ts: batches of 10, refused entries put again) is
// copied into every extension that puts events from its code, since `sam build` bundles an
// extension's folder alone. The copies must stay the model's, byte for byte, and no extension may
// call PutEvents beside it with a loop of its own.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { discoverApps } from '@serverlesspresso/catalog/bus';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';

const ADAPTER = join('src', 'adapters', 'bus.ts');
const model = readFileSync(join(REPO_ROOT, '_extension_model', ADAPTER), 'utf8');
const extensions = discoverApps(REPO_ROOT).filter((a) => a.kind === 'extension');

const sources = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((f) => {
        const path = join(dir, f);
        return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
      })
    : [];

describe('the bus adapter', () => {
  it('is in every extension that puts events from its code, identical to the model', () => {
    const copies = extensions.filter((a) => existsSync(join(a.dir, ADAPTER)));
    // WaitTimes and LoyaltyCard publish from their tables' streams: at least they hold a copy.
    expect(copies.map((a) => a.name)).toEqual(expect.arrayContaining(['LoyaltyCard', 'WaitTimes']));
    for (const app of copies) {
      const copy = readFileSync(join(app.dir, ADAPTER), 'utf8');
      expect({ file: relative(REPO_ROOT, join(app.dir, ADAPTER)), same: copy === model }).toEqual({
        file: relative(REPO_ROOT, join(app.dir, ADAPTER)),
        same: true,
      });
    }
  });

  it('is the only code of an extension that sends PutEvents', () => {
    const ownLoops = extensions.flatMap((app) =>
      sources(join(app.dir, 'src'))
        .filter((f) => !f.endsWith(ADAPTER) && /new PutEventsCommand\(/.test(readFileSync(f, 'utf8')))
        .map((f) => relative(REPO_ROOT, f)),
    );
    expect(ownLoops).toEqual([]);
  });
});
