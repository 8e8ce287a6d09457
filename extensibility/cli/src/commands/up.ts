// presso up: start the local cloud and keep it running until Ctrl-C.
import { startLocalCloud } from '@serverlesspresso/local';

export interface UpOptions {
  host?: string;
  port: number;
  dataDir?: string;
  speed: number;
  eventSizeLimit?: 'current' | 'legacy';
}

export async function upCommand(options: UpOptions): Promise<void> {
  const cloud = await startLocalCloud({
    port: options.port,
    speed: options.speed,
    ...(options.host ? { host: options.host } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.eventSizeLimit === 'legacy' ? { eventsRequestSizeLimit: 256 * 1024 } : {}),
  });
  console.log(`edge        ${cloud.url}  (AWS_ENDPOINT_URL=${cloud.url})`);
  console.log(`data        ${cloud.dataDir}`);
  console.log(`speed       ${cloud.time.speed}x`);
  console.log(`ready       ${cloud.url}`);
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
}
