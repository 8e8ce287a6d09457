// Config service routes: the menu for customers; the whole config for the event's admins (and
// operators), who change it with partial patches (optimistic locking by version). The table's stream
// announces each change.
import { applyConfigPatch, customerMenu, defaultConfig, notFound, type EventConfig } from '../../domain/index.js';
import { requireEventAdmin } from '../../adapters/http/auth.js';
import { json, Problem, valueOf } from '../../adapters/http/responses.js';
import { eventIdParam, httpRoutes, objectBody, type HttpRequest } from '../../adapters/http/router.js';
import { loadConfig, saveConfig } from '../../adapters/configStore.js';

async function existingConfig(eventId: string): Promise<EventConfig> {
  const config = await loadConfig(eventId);
  if (!config) throw new Problem(notFound('EVENT_NOT_FOUND', `There is no coffee bar event ${eventId}.`));
  return config;
}

// A patch without a version retries on a concurrent write (it meant "whatever is there now");
// one with a version fails with 409 instead, as applyConfigPatch decides.
const MAX_ATTEMPTS = 3;

async function patchConfig(request: HttpRequest) {
  const eventId = eventIdParam(request);
  requireEventAdmin(request.caller, eventId, 'change the config');
  const patch = objectBody(request, '{"storeOpen": true}');
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await loadConfig(eventId);
    // A new event starts from the defaults; the patch applies on top of them.
    const current = stored ?? defaultConfig(eventId);
    const update = valueOf(applyConfigPatch(current, patch));
    if (stored && update.changed.length === 0) return json(200, { config: stored, changed: [] });
    if (await saveConfig(update.config, stored?.version))
      return json(stored ? 200 : 201, { config: update.config, changed: update.changed });
  }
  return json(409, {
    error: 'CONFIG_BUSY',
    message: `The config of ${eventId} kept changing while this update was applied; reload it and try again.`,
  });
}

export const handler = httpRoutes({
  'GET /events/{eventId}/menu': async (request) => {
    const config = await existingConfig(eventIdParam(request));
    return json(200, {
      eventId: config.eventId,
      storeOpen: config.storeOpen,
      menu: customerMenu(config.menu),
      version: config.version,
    });
  },
  'GET /events/{eventId}/config': async (request) => {
    const eventId = eventIdParam(request);
    requireEventAdmin(request.caller, eventId, 'read the config');
    return json(200, await existingConfig(eventId));
  },
  'PATCH /events/{eventId}/config': patchConfig,
});
