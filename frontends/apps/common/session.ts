// What every app does first: read config.json, finish or start the hosted sign-in, then give the
// API and realtime clients with the signed-in person's token.
import { ApiClient, Auth, loadConfig, RealtimeClient, type AppConfig, type User } from '../../src/shared/index.js';

export interface Session {
  config: AppConfig;
  auth: Auth;
  api: ApiClient;
  realtime: RealtimeClient;
  user: User;
}

/** The signed-in session, or undefined while the browser leaves for the sign-in page. */
export async function startSession(): Promise<Session | undefined> {
  const config = await loadConfig();
  const auth = new Auth({ config: config.auth });
  if (auth.isRedirect(location.href)) {
    const { returnTo } = await auth.handleRedirect(location.href);
    history.replaceState(null, '', returnTo ?? location.pathname); // drop ?code&state
  }
  if (!auth.signedIn || !auth.user) {
    await auth.signIn({ returnTo: location.pathname + location.search });
    return undefined;
  }
  const api = new ApiClient({
    baseUrl: config.apiUrl,
    token: () => auth.token(),
    onUnauthorized: () => void auth.signIn({ returnTo: location.pathname + location.search }),
  });
  const realtime = new RealtimeClient({
    wsUrl: config.realtime.wsUrl,
    host: config.realtime.host,
    token: () => auth.token(),
    refreshToken: () => auth.refresh(),
  });
  addEventListener('online', () => realtime.reconnectNow());
  return { config, auth, api, realtime, user: auth.user };
}

/** The event in the URL (?event=), else the one used last on this device, else the fallback. */
export function currentEvent(fallback = ''): string {
  const fromUrl = new URLSearchParams(location.search).get('event');
  if (fromUrl) {
    localStorage.setItem('presso.event', fromUrl);
    return fromUrl;
  }
  return localStorage.getItem('presso.event') ?? fallback;
}

/** An error as a sentence for the person using the app (ApiError and AuthError carry one). */
export const sentence = (error: unknown): string =>
  error instanceof Error && error.message ? error.message : 'Something went wrong. Please try again.';

/** "2 min", "45 s": how long ago epoch ms `since` was. */
export function age(since: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - since) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`;
}
