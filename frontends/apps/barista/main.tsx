// The barista app, on a tablet: first the events this barista works (GET /me/events: the token's
// per-event groups; one is picked at once, several are offered), then the event's live queue (oldest
// first) with each order's drink, options and age; make, unmake, complete, and cancel after a
// confirmation; a new order is announced (and, when switched on, beeps); the event's admins open and
// close the shop and issue the display's sign-in. Every action is a button, so the keyboard reaches
// all of them (Tab, Enter).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  firstSight,
  staffChannel,
  type ConfigPatch,
  type DisplaySignIn,
  type EventConfig,
  type MyEvents,
  type PublicOrder,
  type StaffChannelMessage,
} from '../../src/shared/index.js';
import { age, type Session } from '../common/session.js';
import { ConnectionBadge, ErrorText, mount, useNow } from '../common/ui.js';

function beep(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  } catch {
    // No sound on this device: the visual announcement stays.
  }
}

function Ticket({
  order,
  mine,
  now,
  act,
}: {
  order: PublicOrder;
  mine: boolean;
  now: number;
  act: (action: 'make' | 'unmake' | 'complete' | 'cancel', order: PublicOrder) => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const making = order.status === 'MAKING';
  const label = `order ${order.orderNumber ?? ''}`;
  return (
    <li class={`ticket ${making ? 'making' : ''}`} data-order={order.orderNumber} data-status={order.status}>
      <span class="number" aria-label={`Order number ${order.orderNumber}`}>
        {order.orderNumber}
      </span>
      <div>
        <div class="drink-name">{order.drinkOrder?.drink}</div>
        {order.drinkOrder?.modifiers?.length ? <div>{order.drinkOrder.modifiers.join(' · ')}</div> : null}
        <div class="muted">
          waiting {age(order.queuedAt ?? order.submittedAt ?? order.createdAt, now)}
          {making ? (mine ? ' · you are making it' : ' · another barista is making it') : ''}
        </div>
      </div>
      <div class="row">
        {confirming ? (
          <>
            <span>Cancel {label}?</span>
            <button class="danger" onClick={() => void act('cancel', order).finally(() => setConfirming(false))}>
              Yes, cancel it
            </button>
            <button class="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <>
            {!making && (
              <button onClick={() => void act('make', order)} aria-label={`Make ${label}`}>
                Make
              </button>
            )}
            {making && (
              <button onClick={() => void act('complete', order)} aria-label={`Complete ${label}`}>
                Complete
              </button>
            )}
            {making && (
              <button class="secondary" onClick={() => void act('unmake', order)} aria-label={`Put back ${label}`}>
                Put back
              </button>
            )}
            <button class="secondary" onClick={() => setConfirming(true)} aria-label={`Cancel ${label}`}>
              Cancel
            </button>
          </>
        )}
      </div>
    </li>
  );
}

/** Admins: the queue's capacity and which drinks are available (a change waits on the config's version). */
function Settings({ session, eventId, version }: { session: Session; eventId: string; version: number }) {
  const [config, setConfig] = useState<EventConfig>();
  const [capacity, setCapacity] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  // A capacity being typed is not replaced when a config change (anyone's) is read meanwhile.
  const typing = useRef(false);
  // Neither is a change being saved (a box just unticked), nor a newer config by an older read.
  const saving = useRef(0);
  const shown = useRef(0);
  const show = (c: EventConfig) => {
    shown.current = c.version;
    setConfig(c);
  };
  useEffect(() => {
    session.api.config(eventId).then((c) => {
      if (saving.current > 0 || c.version < shown.current) return;
      show(c);
      if (!typing.current) setCapacity(String(c.maxOrdersInQueue));
    }, setError);
  }, [session, eventId, version]);
  if (!config) return <ErrorText error={error} />;
  /**
   * A change made on the config it was made from (its version); when someone changed the config
   * meanwhile, the change is made again once on the new config (it names one field or one drink).
   */
  const save = async (patch: (current: EventConfig) => ConfigPatch, what: string) => {
    setError(undefined);
    setSaved(undefined);
    saving.current++;
    let current = config;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const { config: next } = await session.api.patchConfig(eventId, {
            ...patch(current),
            version: current.version,
          });
          show(next);
          typing.current = false;
          setCapacity(String(next.maxOrdersInQueue));
          setSaved(what);
          return;
        } catch (e) {
          if (attempt === 0 && e instanceof ApiError && e.code === 'CONFIG_VERSION_CONFLICT') {
            current = await session.api.config(eventId).catch(() => current);
            continue;
          }
          setError(e);
          return;
        }
      }
    } finally {
      saving.current--;
    }
  };
  return (
    <details class="card">
      <summary>Shop settings (admins)</summary>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void save(() => ({ maxOrdersInQueue: Number(capacity) }), `Queue capacity is ${capacity}.`);
        }}
      >
        <label for="capacity">Most orders in the queue</label>
        <input
          id="capacity"
          type="text"
          inputMode="numeric"
          style="width: 6rem"
          value={capacity}
          onInput={(e) => {
            typing.current = true;
            setCapacity(e.currentTarget.value);
          }}
        />
        <button type="submit">Save capacity</button>
      </form>
      <fieldset>
        <legend>Drinks customers can order</legend>
        {config.menu.map((item) => (
          <label key={item.drink}>
            <input
              type="checkbox"
              checked={item.available}
              onChange={(e) => {
                const available = e.currentTarget.checked;
                // Shown at once: a re-render while the change is saved must not tick the box again.
                setConfig({
                  ...config,
                  menu: config.menu.map((m) => (m.drink === item.drink ? { ...m, available } : m)),
                });
                void save(
                  (current) => ({
                    menu: current.menu.map((m) => (m.drink === item.drink ? { ...m, available } : m)),
                  }),
                  `${item.drink} is ${available ? 'available' : 'unavailable'}.`,
                );
              }}
            />
            {item.drink}
          </label>
        ))}
      </fieldset>
      {saved && <p role="status">{saved}</p>}
      <ErrorText error={error} />
    </details>
  );
}

/** The admins' "Display sign-in": the username and password the TV at the bar signs in with, once. */
function DisplayIssuer({ session, eventId }: { session: Session; eventId: string }) {
  const [issued, setIssued] = useState<DisplaySignIn>();
  const [error, setError] = useState<unknown>();
  return (
    <details class="card">
      <summary>Display sign-in (admins)</summary>
      <p class="muted">
        The TV signs in once as the display of {eventId}: it shows the board and the QR code, and nothing else.
      </p>
      <button
        onClick={() => {
          setError(undefined);
          session.api.issueDisplay(eventId).then(setIssued, setError);
        }}
      >
        Issue a display sign-in
      </button>
      {issued && (
        <p role="status" data-testid="display-sign-in">
          Username <strong data-testid="display-username">{issued.username}</strong>, password{' '}
          <strong data-testid="display-password">{issued.password}</strong>
        </p>
      )}
      <ErrorText error={error} />
    </details>
  );
}

const LAST_EVENT = 'presso.baristaEvent';
const staffEventsOf = (mine: MyEvents) =>
  mine.events.filter((e) => e.roles.includes('barista') || e.roles.includes('admin'));

/** The events this barista works, from the token's groups: one is picked at once, several are offered. */
function BaristaApp({ session }: { session: Session }) {
  const [mine, setMine] = useState<MyEvents>();
  const [eventId, setEventId] = useState<string>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(async () => {
    setError(undefined);
    try {
      const found = await session.api.myEvents();
      const events = staffEventsOf(found);
      const last = localStorage.getItem(LAST_EVENT);
      if (events.length === 1) setEventId(events[0]!.eventId);
      else if (last && events.some((e) => e.eventId === last)) setEventId(last);
      setMine(found);
    } catch (e) {
      setError(e);
    }
  }, [session]);
  useEffect(() => void load(), [load]);
  const pick = (id: string | undefined) => {
    if (id) localStorage.setItem(LAST_EVENT, id);
    else localStorage.removeItem(LAST_EVENT);
    setEventId(id);
  };

  if (!mine) return error ? <ErrorText error={error} /> : <p class="loading">Loading the events you work…</p>;
  const events = staffEventsOf(mine);
  const chosen = events.find((e) => e.eventId === eventId);
  if (chosen)
    return (
      <Queue
        session={session}
        eventId={chosen.eventId}
        admin={chosen.roles.includes('admin')}
        {...(events.length > 1 ? { changeEvent: () => pick(undefined) } : {})}
      />
    );
  return (
    <>
      <header class="topbar">
        <h1>Your events</h1>
        <button class="secondary" onClick={() => void session.auth.signOut()}>
          Sign out
        </button>
      </header>
      {events.length === 0 ? (
        <div class="card">
          <p>
            You are not a barista or an admin of any event yet. Ask an admin of your event to add you, then check again.
          </p>
          <button
            onClick={() => {
              // The new role is in the next token.
              void session.auth
                .refresh()
                .then(load)
                .catch(() => void session.auth.signOut());
            }}
          >
            Check again
          </button>
        </div>
      ) : (
        <ul class="events" aria-label="The events you work">
          {events.map((e) => (
            <li key={e.eventId}>
              <button onClick={() => pick(e.eventId)}>
                Work event {e.eventId} ({e.roles.join(', ')})
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={error} />
      <p class="muted">Signed in as {session.user.email}</p>
    </>
  );
}

function Queue({
  session,
  eventId,
  admin,
  changeEvent,
}: {
  session: Session;
  eventId: string;
  admin: boolean;
  changeEvent?: () => void;
}) {
  const { api, realtime, user } = session;
  const [orders, setOrders] = useState<PublicOrder[]>();
  const [storeOpen, setStoreOpen] = useState<boolean>();
  const [announcement, setAnnouncement] = useState<string>();
  const [sound, setSound] = useState(false);
  const [confirmClose, setConfirmClose] = useState(false);
  const [configVersion, setConfigVersion] = useState(0);
  const [error, setError] = useState<unknown>();
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const now = useNow(5000);

  const refresh = useCallback(async () => {
    try {
      const [queue, menu] = await Promise.all([api.queue(eventId), api.menu(eventId)]);
      setOrders(queue.orders);
      setStoreOpen(menu.storeOpen);
    } catch (e) {
      setError(e);
    }
  }, [api, eventId]);

  useEffect(() => {
    void refresh();
    const seen = firstSight();
    const sub = realtime.subscribe<StaffChannelMessage>(staffChannel(eventId), {
      onData: (message) => {
        if (!seen(message)) return;
        if (message.kind === 'order' && message.state === 'QUEUED') {
          setAnnouncement(`New order ${message.orderNumber ?? ''}: ${message.drink?.drink ?? ''}`);
          if (soundRef.current) beep();
        }
        if (message.kind === 'config') {
          setStoreOpen(message.storeOpen);
          setConfigVersion(message.version);
        }
        void refresh();
      },
      poll: refresh,
    });
    return () => sub.unsubscribe();
  }, [eventId, realtime, refresh]);

  // An announcement stays long enough to be seen across the bar, then goes.
  useEffect(() => {
    if (!announcement) return;
    const timer = setTimeout(() => setAnnouncement(undefined), 20_000);
    return () => clearTimeout(timer);
  }, [announcement]);

  const act = async (action: 'make' | 'unmake' | 'complete' | 'cancel', order: PublicOrder) => {
    setError(undefined);
    try {
      await api[action](order.orderId);
    } catch (e) {
      setError(e);
    }
    await refresh();
  };

  const setShop = async (open: boolean) => {
    setError(undefined);
    try {
      const { config } = await api.patchConfig(eventId, { storeOpen: open });
      setStoreOpen(config.storeOpen);
      setConfigVersion(config.version);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <header class="topbar">
        <h1>Queue · {eventId}</h1>
        <ConnectionBadge realtime={realtime} />
        <span class="row">
          <label class="row">
            <input type="checkbox" checked={sound} onChange={(e) => setSound(e.currentTarget.checked)} /> Sound for new
            orders
          </label>
          {storeOpen !== undefined && <span class="muted">{storeOpen ? 'Shop open' : 'Shop closed'}</span>}
          {admin && storeOpen === false && <button onClick={() => void setShop(true)}>Open the shop</button>}
          {admin && storeOpen && !confirmClose && (
            <button class="danger" onClick={() => setConfirmClose(true)}>
              Close the shop
            </button>
          )}
          {changeEvent && (
            <button class="secondary" onClick={changeEvent}>
              Change event
            </button>
          )}
          <button class="secondary" onClick={() => void session.auth.signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <div aria-live="polite">
        {announcement && (
          <p class="announce row">
            {announcement}
            <button class="secondary" onClick={() => setAnnouncement(undefined)}>
              OK
            </button>
          </p>
        )}
      </div>
      {confirmClose && storeOpen && (
        <p class="notice row" role="alertdialog" aria-label="Close the shop?">
          Close the shop? Customers will not be able to order until it opens again.
          <button class="danger" onClick={() => void setShop(false).finally(() => setConfirmClose(false))}>
            Yes, close the shop
          </button>
          <button class="secondary" onClick={() => setConfirmClose(false)}>
            Keep it open
          </button>
        </p>
      )}
      {storeOpen === false && <p class="notice">The shop is closed: customers cannot order.</p>}
      <ErrorText error={error} />
      {admin && <Settings session={session} eventId={eventId} version={configVersion} />}
      {admin && <DisplayIssuer session={session} eventId={eventId} />}
      {orders === undefined ? (
        <p class="loading">Loading the queue…</p>
      ) : orders.length === 0 ? (
        <p class="card">No orders waiting. New ones appear here by themselves.</p>
      ) : (
        <ol class="queue" aria-label="Orders, oldest first">
          {orders.map((order) => (
            <Ticket key={order.orderId} order={order} mine={order.baristaUserId === user.sub} now={now} act={act} />
          ))}
        </ol>
      )}
      <p class="muted">Signed in as {user.email}</p>
    </>
  );
}

mount((session) => <BaristaApp session={session} />);
