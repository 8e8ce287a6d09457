// The apps of the repository, in the order `presso up` deploys them: the core (it creates the bus),
// the EventPlayer, then every extension (the model is a folder to copy, not an app to run). Folders
// without a template yet are skipped. The catalog reads the same apps.
import { BUS_NAME } from '@serverlesspresso/catalog';
import { discoverApps, findRepoRoot } from '@serverlesspresso/catalog/bus';
import { templateFileOf } from '@serverlesspresso/local';
import { DEFAULT_ACCOUNT, loadTemplate, type LoadedTemplate } from '@serverlesspresso/local/tooling';

/** The monorepo's root: the nearest folder up from `from` whose package.json lists workspaces and has core/. */
export const repoRoot = (from = process.cwd()): string | undefined => findRepoRoot(from);

export function defaultApps(root: string): string[] {
  return discoverApps(root)
    .filter((app) => app.kind !== 'model')
    .map((app) => app.dir);
}

/** The parameter with which an app creates the bus when asked: the EventPlayer's, to run without the core. */
export const CREATE_BUS_PARAMETER = 'CreateBus';

export interface PlannedApp {
  dir: string;
  parameterOverrides?: Record<string, string>;
}

function loaded(dir: string, parameterOverrides?: Record<string, string>): LoadedTemplate | undefined {
  try {
    return loadTemplate(templateFileOf(dir), {
      stackName: 'plan',
      region: DEFAULT_ACCOUNT.region,
      accountId: DEFAULT_ACCOUNT.accountId,
      ...(parameterOverrides ? { parameterOverrides } : {}),
    });
  } catch {
    return undefined; // the deploy reports what is wrong with it
  }
}

/**
 * Outputs of an app deployed earlier that a later app takes as its parameter of the same name:
 * the core's realtime API, so an extension that publishes to the board (WaitTimes) is connected by
 * `presso up` as an operator connects it with --parameter-overrides.
 */
export const WIRED_OUTPUTS = ['RealtimeApiId'] as const;

/** The parameters `dir` declares among WIRED_OUTPUTS, with the values `outputs` (of earlier stacks) give. */
export function wiredParameters(dir: string, outputs: Record<string, string>): Record<string, string> {
  const declared = loaded(dir)?.parameters ?? {};
  return Object.fromEntries(
    WIRED_OUTPUTS.filter((name) => name in declared && outputs[name]).map((name) => [name, outputs[name]!]),
  );
}

const createsBus = (template: LoadedTemplate | undefined): boolean =>
  template?.resources.some((r) => r.type === 'AWS::Events::EventBus' && r.properties.Name === BUS_NAME) ?? false;

/**
 * The order and parameters `presso up` deploys the given apps with. Every app needs the
 * Serverlesspresso bus; when none creates it with its defaults (the core does), the first one that
 * creates it with CreateBus=true (the EventPlayer) goes first, with it, as an extension author runs
 * the player without the core. Otherwise the apps go as given.
 */
export function deployPlan(dirs: string[]): { apps: PlannedApp[]; note?: string } {
  if (dirs.some((dir) => createsBus(loaded(dir)))) return { apps: dirs.map((dir) => ({ dir })) };
  const creator = dirs.find(
    (dir) =>
      CREATE_BUS_PARAMETER in (loaded(dir)?.parameters ?? {}) &&
      createsBus(loaded(dir, { [CREATE_BUS_PARAMETER]: 'true' })),
  );
  if (creator === undefined) return { apps: dirs.map((dir) => ({ dir })) };
  return {
    apps: [
      { dir: creator, parameterOverrides: { [CREATE_BUS_PARAMETER]: 'true' } },
      ...dirs.filter((dir) => dir !== creator).map((dir) => ({ dir })),
    ],
    note: `no app given creates the ${BUS_NAME} bus: ${creator} creates it (${CREATE_BUS_PARAMETER}=true), deployed first`,
  };
}

/** The parameters through which an app lists its sign-in's callback and logout URLs (the core's app client). */
export const WEB_APP_URL_PARAMETERS = ['CallbackURLs', 'LogoutURLs'] as const;

/**
 * The web apps' URLs on the edge for the parameters `dir` declares among WEB_APP_URL_PARAMETERS, so
 * the user pool sends a person back to the app they signed in from.
 */
export function webAppUrlParameters(dir: string, urls: string[]): Record<string, string> {
  if (urls.length === 0) return {};
  const declared = loaded(dir)?.parameters ?? {};
  return Object.fromEntries(
    WEB_APP_URL_PARAMETERS.filter((name) => name in declared).map((name) => [name, urls.join(',')]),
  );
}
