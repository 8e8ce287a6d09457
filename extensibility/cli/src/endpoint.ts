// Where the commands that talk to a running local cloud find it.
import { DEFAULT_EDGE_HOST, DEFAULT_EDGE_PORT } from '@serverlesspresso/local';

export const DEFAULT_ENDPOINT = process.env.AWS_ENDPOINT_URL ?? `http://${DEFAULT_EDGE_HOST}:${DEFAULT_EDGE_PORT}`;

/** Fetches a /_presso/ route, turning "nothing is listening" into a message that says what to do. */
export async function callCloud(endpoint: string, path: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(new URL(path, endpoint), init);
  } catch (e) {
    throw new Error(
      `no local cloud answers at ${endpoint} (${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}); start one with \`npm start\` or \`npx presso up\`, or pass --endpoint`,
    );
  }
}
