// presso up: start the local cloud and keep it running until Ctrl-C.
import { emulatedRuntime, startLocalCloud, type LocalCloud, type ResumeReport } from '@serverlesspresso/local';
import { ensureBuilt, type AppName } from '@serverlesspresso/frontends/build';
import { appConfig, appUrls, coreOutputsOf, webAppsService, type CoreOutputs } from '@serverlesspresso/frontends/serve';
import { ensureBuilt as ensureConsoleBuilt } from '@serverlesspresso/console/build';
import { consoleService, consoleUrl } from '@serverlesspresso/console/serve';
import { deployPlan, webAppUrlParameters, wiredParameters, type PlannedApp } from '../apps.js';
import { printStack } from './stacks.js';
import { watchApps } from './watch.js';

export interface UpOptions {
  host?: string;
  port: number;
  dataDir?: string;
  /** With dataDir: flush each Step Functions journal record to the disk (startLocalCloud's journalSync). */
  journalSync?: boolean;
  speed: number;
  eventSizeLimit?: 'current' | 'legacy';
  /** IAM mode (default enforce). */
  iam?: 'enforce' | 'audit' | 'off';
  /** App folders to deploy, in order, each as its own stack. */
  dirs?: string[];
  /** Deploy an app again when its files change. */
  watch?: boolean;
  /** Serve the web apps (frontends/) under <edge>/apps/ (default true; built when missing or stale). */
  webApps?: boolean;
}

/** The core whose outputs the web apps' config.json carry: the last stack deployed that has them all. */
let webAppsCore: CoreOutputs | undefined;

export async function upCommand(options: UpOptions): Promise<void> {
  const cloud = await startLocalCloud({
    port: options.port,
    speed: options.speed,
    ...(options.host ? { host: options.host } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.journalSync ? { journalSync: true } : {}),
    ...(options.eventSizeLimit === 'legacy' ? { eventsRequestSizeLimit: 256 * 1024 } : {}),
    ...(options.iam ? { iam: options.iam } : {}),
  });
  // Ctrl-C stops the cloud in order (DynamoDB Local included) from here on, also while apps deploy;
  // the handlers are in place before "ready" is printed, so whoever waits for it can signal at once.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: stopping the local cloud`);
    await cloud.events.delivery.drain();
    await cloud.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  console.log(`edge        ${cloud.url}  (AWS_ENDPOINT_URL=${cloud.url})`);
  // Which Node runs all of it (the repo's, from npm, unless the machine's came first on the PATH).
  console.log(`node        ${process.version} (${process.execPath}), functions on ${emulatedRuntime}`);
  console.log(
    `data        ${cloud.dataDir}${options.dataDir ? '' : ' (temporary: removed on exit; --data-dir DIR keeps the data)'}`,
  );
  console.log(`speed       ${cloud.time.speed}x`);
  console.log(`iam         ${cloud.iam.mode}`);
  // DynamoDB Local starts before "ready", so the first request does not wait for the JVM.
  try {
    const engine = await cloud.dynamodb.start();
    console.log(`dynamodb    DynamoDB Local ${cloud.dynamodb.storage} (127.0.0.1:${engine.port}, behind the edge)`);
  } catch (e) {
    console.error(`presso up: DynamoDB Local did not start: ${(e as Error).message}`);
    await cloud.close();
    process.exit(1);
  }
  // The local console (extensibility/console): built when missing or stale, served at <edge>/_presso/console/.
  let console_: string | undefined;
  try {
    const started = Date.now();
    if (await ensureConsoleBuilt())
      console.log(`console     built extensibility/console/dist in ${Date.now() - started} ms`);
    cloud.edge.addService(consoleService());
    console_ = consoleUrl(cloud.url);
  } catch (e) {
    console.error(`presso up: the console did not build, so it is not served: ${(e as Error).message}`);
  }
  // The web apps need a deployed core: none with --no-apps.
  const urls = options.webApps === false || !options.dirs?.length ? undefined : appUrls(cloud.url);
  if (urls) {
    try {
      const started = Date.now();
      if (await ensureBuilt()) console.log(`apps        built frontends/dist in ${Date.now() - started} ms`);
      cloud.edge.addService(
        webAppsService({ config: (app: AppName) => webAppsCore && appConfig(webAppsCore, urls[app]) }),
      );
    } catch (e) {
      console.error(`presso up: the web apps did not build, so they are not served: ${(e as Error).message}`);
    }
  }
  const deployed = await deployAll(cloud, options.dirs ?? [], urls ? Object.values(urls) : []);
  if (!deployed) {
    await cloud.close();
    process.exit(1);
  }
  if (options.watch && deployed.length) {
    watchApps(cloud, deployed);
    console.log(
      `watching    ${deployed.length} app${deployed.length === 1 ? '' : 's'}: a change deploys its app again`,
    );
  }
  if (urls && webAppsCore) {
    console.log(`app order   ${urls.order}  (a phone; the display's QR code opens it)`);
    console.log(
      `app barista ${urls.barista}  (a tablet; sign in as a barista or admin of an event: presso users add-to-group EMAIL NYC.barista)`,
    );
    console.log(
      `app display ${urls.display}  (the TV; sign in with a display sign-in an admin issues in the barista app)`,
    );
  }
  if (console_) {
    const exposed = !/^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(options.host ?? '127.0.0.1');
    console.log(
      `console     ${console_}${exposed ? `  (listening on ${options.host}: reachable from other machines, and the console says so on every page)` : ''}`,
    );
  }
  printResumed(cloud.resumption);
  console.log(`ready       ${cloud.url}`);
}

/**
 * Deploys each app in order, the bus first (deployPlan: the player creates it when no app given
 * does); the first failure stops startup with its message.
 */
async function deployAll(
  cloud: LocalCloud,
  dirs: string[],
  webAppUrls: string[],
): Promise<Array<PlannedApp & { stackName: string }> | undefined> {
  const deployed: Array<PlannedApp & { stackName: string }> = [];
  const { apps, note } = deployPlan(dirs);
  if (note) process.stdout.write(`bus         ${note}\n`);
  // Outputs of the stacks deployed so far, for the parameters later apps take from them (WIRED_OUTPUTS).
  const outputs: Record<string, string> = {};
  for (const [i, planned] of apps.entries()) {
    const { dir } = planned;
    const wired = { ...wiredParameters(dir, outputs), ...webAppUrlParameters(dir, webAppUrls) };
    const parameterOverrides =
      planned.parameterOverrides || Object.keys(wired).length > 0
        ? { ...wired, ...planned.parameterOverrides }
        : undefined;
    const parameters = parameterOverrides
      ? ` (${Object.entries(parameterOverrides)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')})`
      : '';
    process.stdout.write(`deploying   [${i + 1}/${apps.length}] ${dir}${parameters}\n`);
    try {
      const record = await cloud.stacks.deploy({ path: dir, ...(parameterOverrides ? { parameterOverrides } : {}) });
      printStack(record, process.stdout);
      Object.assign(outputs, record.outputs);
      webAppsCore = coreOutputsOf({ ...record.outputs, ...record.localOutputs }) ?? webAppsCore;
      deployed.push({ dir, stackName: record.name, ...(parameterOverrides ? { parameterOverrides } : {}) });
    } catch (e) {
      console.error(`presso up: ${(e as Error).message}\nnothing of this stack was deployed; stopping`);
      return undefined;
    }
  }
  return deployed;
}

/**
 * What of the last run went on (with --data-dir): Step Functions executions resumed, held, failed;
 * event deliveries, asynchronous invocations and SQS messages kept.
 */
function printResumed(r: ResumeReport): void {
  const held = r.held();
  const heldDeliveries = r.heldDeliveries();
  const [invocations, heldInvocations, messages, heldMessages, mappings, schedules, rules] = [
    r.invocations(),
    r.heldInvocations(),
    r.messages(),
    r.heldMessages(),
    r.mappings(),
    r.schedules(),
    r.rules(),
  ];
  if (
    !r.resumed.length &&
    !held &&
    !r.failed &&
    !r.tornRecords &&
    !r.deliveries &&
    !heldDeliveries &&
    !invocations &&
    !heldInvocations &&
    !messages &&
    !heldMessages &&
    !mappings &&
    !schedules &&
    !rules
  )
    return;
  const plural = (n: number, what: string, whats = `${what}s`) => `${n} ${n === 1 ? what : whats}`;
  const parts = [
    ...(r.resumed.length
      ? [
          `${plural(r.resumed.length, 'Step Functions execution')} where ${r.resumed.length === 1 ? 'it was' : 'they were'}`,
        ]
      : []),
    ...(held
      ? [
          `${r.resumed.length ? held : plural(held, 'Step Functions execution')} waiting for their state machine's stack to be deployed again`,
        ]
      : []),
    ...(r.failed
      ? [`${plural(r.failed, 'execution')} that could not resume failed (Express ones: AWS keeps none)`]
      : []),
    ...(r.deliveries ? [`${plural(r.deliveries, 'event delivery', 'event deliveries')} accepted before`] : []),
    ...(heldDeliveries
      ? [`${plural(heldDeliveries, 'event delivery', 'event deliveries')} waiting for their rule`]
      : []),
    ...(invocations ? [`${plural(invocations, 'asynchronous Lambda invocation')} queued or retrying`] : []),
    ...(heldInvocations
      ? [`${plural(heldInvocations, 'asynchronous Lambda invocation')} waiting for their function`]
      : []),
    ...(messages ? [`${plural(messages, 'SQS message')} back in their queues`] : []),
    ...(heldMessages ? [`${plural(heldMessages, 'SQS message')} waiting for their queue's stack`] : []),
    ...(mappings ? [`${plural(mappings, 'stream event source mapping')} from their checkpoints`] : []),
    ...(schedules ? [`${plural(schedules, 'schedule')} with their next times`] : []),
    ...(rules ? [`${plural(rules, 'EventBridge rule')} made through the API`] : []),
    ...(r.tornRecords ? [`${plural(r.tornRecords, 'half-written journal record')} skipped (see the log above)`] : []),
  ];
  console.log(`resumed     ${parts.join('; ')}`);
}
