// The events catalog: generated from the contract and the apps' templates, as Markdown and HTML.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanRepo, type RepoScan } from '../bus/index.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { catalogPage, type CatalogPage } from './model.js';

export {
  catalogPage,
  anchorOf,
  type CatalogPage,
  type PageEvent,
  type PageProducer,
  type PageConsumer,
  type PageApp,
} from './model.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';

/** The repo this package lives in. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Where the committed catalog lives, relative to the repo root. */
export const CATALOG_FILES = {
  markdown: 'extensibility/catalog/CATALOG.md',
  html: 'extensibility/catalog/catalog.html',
} as const;

export interface GeneratedCatalog {
  scan: RepoScan;
  page: CatalogPage;
  markdown: string;
  html: string;
}

/** Reads the repo and renders the catalog (nothing is written). */
export function generateCatalog(root: string = REPO_ROOT): GeneratedCatalog {
  const scan = scanRepo(root);
  const page = catalogPage(scan);
  return { scan, page, markdown: renderMarkdown(page), html: renderHtml(page) };
}

export const catalogPaths = (root: string = REPO_ROOT) => ({
  markdown: join(root, CATALOG_FILES.markdown),
  html: join(root, CATALOG_FILES.html),
});
