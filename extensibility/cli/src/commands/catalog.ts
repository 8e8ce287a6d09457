// presso catalog: regenerates the events catalog (CATALOG.md and catalog.html) from the contract and
// the apps' templates, and the table of extensions in extensions/README.md from their extension.json;
// --check only says whether the committed ones are current.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { formatFinding } from '@serverlesspresso/catalog/bus';
import { CATALOG_FILES, generateCatalog, withExtensionsTable } from '@serverlesspresso/catalog/page';

export interface CatalogOptions {
  /** The repo root (found from the working directory by default). */
  root: string;
  /** Where to write; default the catalog's folder in the repo. */
  out?: string;
  check?: boolean;
}

export function catalogCommand(options: CatalogOptions, out: NodeJS.WritableStream): number {
  const { root } = options;
  const generated = generateCatalog(root);
  const targets = options.out
    ? {
        markdown: join(options.out, basename(CATALOG_FILES.markdown)),
        html: join(options.out, basename(CATALOG_FILES.html)),
      }
    : { markdown: join(root, CATALOG_FILES.markdown), html: join(root, CATALOG_FILES.html) };
  const files: Array<[string, string]> = [
    [targets.markdown, generated.markdown],
    [targets.html, generated.html],
  ];
  const { page, scan } = generated;
  // The README's table is regenerated in place, in the repo (not under --out, which is for the catalog's pages).
  const readme = join(root, CATALOG_FILES.extensions);
  if (!options.out && existsSync(readme)) {
    const text = withExtensionsTable(readFileSync(readme, 'utf8'), page);
    if (text !== undefined) files.push([readme, text]);
  }
  const produced = page.events.filter((e) => e.producers.length > 0).length;
  const consumed = page.events.filter((e) => e.consumers.length > 0).length;
  const summary = `${page.events.length} events (${produced} with a producer, ${consumed} with a consumer), ${scan.rules.length} rule${scan.rules.length === 1 ? '' : 's'} on the bus, from ${page.apps.length} app${page.apps.length === 1 ? '' : 's'}`;

  let status = 0;
  if (options.check) {
    const stale = files.filter(([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text);
    for (const [file] of stale) out.write(`stale: ${relative(process.cwd(), file) || file}\n`);
    out.write(
      stale.length
        ? 'the catalog is stale: run `npx presso catalog` and commit the result\n'
        : `the catalog is current: ${summary}\n`,
    );
    status = stale.length ? 1 : 0;
  } else {
    for (const [file, text] of files) {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, text);
      out.write(`wrote ${relative(process.cwd(), file) || file}\n`);
    }
    out.write(`${summary}\n`);
  }
  if (scan.findings.length) {
    out.write(
      `\n${scan.findings.length} problem${scan.findings.length === 1 ? '' : 's'} in the apps' templates:\n${scan.findings.map((f) => `  ${formatFinding(f)}`).join('\n')}\n`,
    );
    status = 1;
  }
  return status;
}
