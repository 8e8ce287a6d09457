// The order app, on a customer's phone: the display's QR code opens it with ?event=&code=; after the
// hosted sign-in it scans the code (a new order), shows the event's menu, orders the drink, then the
// order's life live on the customer's channel, and the customer's orders at this event.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  customerChannel,
  firstSight,
  type CustomerOrder,
  type CustomerOrderMessage,
  type Menu,
  type MenuItem,
} from '../../src/shared/index.js';
import { currentEvent, type Session } from '../common/session.js';
import { ConnectionBadge, ErrorText, mount, useNow } from '../common/ui.js';
import { Scanner } from './scanner.js';

/** How long the workflow waits for the drink after a scan (the core's customer timeout). */
const DRINK_CHOICE_MS = 5 * 60_000;
const OPEN = new Set(['CREATED', 'SUBMITTED', 'MAKING']);
/**
 * While queued, how often the place in the queue is read again: orders ahead of it move on without a
 * message on the customer's channel (which carries only their own orders).
 */
const PLACE_REFRESH_MS = 15_000;

const isQueued = (order: CustomerOrder) => order.status === 'SUBMITTED' && !!order.orderNumber;

/** The customer's place in the queue, from the core's count (ordersAhead); nothing when it gave none. */
function placeLine(order: CustomerOrder): string | undefined {
  if (!isQueued(order) || order.ordersAhead === undefined) return undefined;
  if (order.ordersAhead === 0) return "You're next";
  return order.ordersAhead === 1 ? '1 order ahead of you' : `${order.ordersAhead} orders ahead of you`;
}

function cancelReason(order: CustomerOrder): string {
  switch (order.reason) {
    case 'customer':
      return 'You cancelled this order.';
    case 'barista':
      return 'A barista cancelled this order. Please ask at the bar.';
    case 'timeout':
      return order.timeoutCause === 'customer'
        ? 'No drink was chosen in time, so the order was cancelled. Scan the QR code again to order.'
        : 'The drink was not made in time, so the order was cancelled. Please ask at the bar.';
    case 'refused':
      return order.refusal?.message ?? 'The coffee bar could not take this order. Please try again later.';
    default:
      return 'This order was cancelled.';
  }
}

function statusLine(order: CustomerOrder): string {
  switch (order.status) {
    case 'CREATED':
      return 'Choose your drink';
    case 'SUBMITTED':
      return order.orderNumber ? 'In the queue' : 'Sending your order to the baristas…';
    case 'MAKING':
      return 'A barista is making your drink';
    case 'COMPLETED':
      return 'Ready for pickup';
    case 'CANCELLED':
      return 'Cancelled';
    case 'FAILED':
      return 'Order stopped';
  }
}

/** Why an order failed, for the customer: what happened and what to do (the failure's error is for operators). */
const FAILED_SENTENCE =
  'Sorry, something went wrong at the coffee bar and this order was stopped. Your place was given back: scan the QR code again to order.';

const drinkText = (order: CustomerOrder) =>
  order.drinkOrder
    ? `${order.drinkOrder.drink}${order.drinkOrder.modifiers?.length ? ` (${order.drinkOrder.modifiers.join(', ')})` : ''}`
    : 'No drink chosen yet';

function CodeForm({
  eventId,
  again,
  error,
  onCode,
}: {
  eventId: string;
  again: boolean;
  /** Why the last scan was refused: shown next to the code the customer typed. */
  error: unknown;
  onCode: (eventId: string, code: string) => void;
}) {
  const [event, setEvent] = useState(eventId);
  const [code, setCode] = useState('');
  return (
    <form
      class="card stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (event.trim() && code.trim()) onCode(event.trim(), code.trim());
      }}
    >
      <h2>{again ? 'Order another drink' : 'Order a drink'}</h2>
      <p>Point your phone's camera at the QR code on the bar's screen, or type the code shown under it.</p>
      <Scanner eventId={event.trim()} onCode={onCode} />
      {!eventId && (
        <>
          <label for="event">Coffee bar</label>
          <input
            id="event"
            type="text"
            value={event}
            onInput={(e) => setEvent(e.currentTarget.value)}
            placeholder="NYC"
          />
        </>
      )}
      <label for="code">Code on the screen</label>
      <input
        id="code"
        type="text"
        autocomplete="off"
        autocapitalize="characters"
        value={code}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
      <button type="submit" disabled={!event.trim() || !code.trim()}>
        Start my order
      </button>
      <ErrorText error={error} />
    </form>
  );
}

function DrinkMenu({
  menu,
  onOrder,
  busy,
}: {
  menu: Menu;
  onOrder: (drink: string, modifiers: string[]) => void;
  busy: boolean;
}) {
  const [drink, setDrink] = useState<MenuItem>();
  const [choices, setChoices] = useState<Record<string, string>>({});
  if (!menu.storeOpen) return <p class="notice">The coffee bar is closed right now. Please come back later.</p>;
  if (menu.menu.length === 0) return <p class="notice">No drinks are available right now. Please ask at the bar.</p>;
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (drink)
          onOrder(
            drink.drink,
            drink.modifiers.map((group) => choices[group.Name]).filter((o): o is string => !!o),
          );
      }}
    >
      <fieldset>
        <legend>Drinks</legend>
        <ul class="drinks">
          {menu.menu.map((item) => (
            <li class="drink" key={item.drink}>
              <label>
                <input
                  type="radio"
                  name="drink"
                  value={item.drink}
                  checked={drink?.drink === item.drink}
                  onChange={() => {
                    setDrink(item);
                    setChoices(Object.fromEntries(item.modifiers.map((g) => [g.Name, g.Options[0] ?? ''])));
                  }}
                />
                <span>{item.drink}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {drink?.modifiers.map((group) => (
        <fieldset key={group.Name}>
          <legend>{group.Name}</legend>
          {group.Options.map((option) => (
            <label key={option}>
              <input
                type="radio"
                name={`modifier-${group.Name}`}
                value={option}
                checked={choices[group.Name] === option}
                onChange={() => setChoices({ ...choices, [group.Name]: option })}
              />
              {option}
            </label>
          ))}
        </fieldset>
      ))}
      <button type="submit" disabled={!drink || busy}>
        {drink ? `Order ${drink.drink}` : 'Choose a drink'}
      </button>
    </form>
  );
}

function OrderCard({ order, children }: { order: CustomerOrder; children?: preact.ComponentChildren }) {
  const now = useNow();
  const left = Math.max(0, order.createdAt + DRINK_CHOICE_MS - now);
  const ready = order.status === 'COMPLETED';
  const place = placeLine(order);
  return (
    <section class={`card ${ready ? 'status-ready' : ''}`} aria-labelledby="order-status" data-status={order.status}>
      <h1 id="order-status" aria-live="polite">
        {statusLine(order)}
      </h1>
      {order.orderNumber && (
        <div class="number-block">
          <span class="muted">Your order number</span>
          <span class="big-number" data-testid="order-number">
            {order.orderNumber}
          </span>
        </div>
      )}
      {place && (
        <p class="place" role="status" data-testid="place">
          {place}
        </p>
      )}
      {order.status === 'CREATED' && (
        <p class="notice" role="timer">
          {left > 0
            ? `Please choose within ${Math.floor(left / 60_000)}:${String(Math.floor((left % 60_000) / 1000)).padStart(2, '0')}.`
            : 'Time is up: this order is being cancelled.'}
        </p>
      )}
      {order.drinkOrder && <p class="drink-name">{drinkText(order)}</p>}
      {ready && <p>Show this number at the bar to collect your drink.</p>}
      {order.status === 'CANCELLED' && <p class="notice">{cancelReason(order)}</p>}
      {order.status === 'FAILED' && (
        <p class="notice" role="alert">
          {FAILED_SENTENCE}
        </p>
      )}
      {children}
    </section>
  );
}

function OrderApp({ session }: { session: Session }) {
  const { api, realtime, user } = session;
  const [eventId, setEventId] = useState(() => currentEvent());
  const [menu, setMenu] = useState<Menu>();
  const [orders, setOrders] = useState<CustomerOrder[]>([]);
  const [focusId, setFocusId] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [scanError, setScanError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const focus = useRef<string>();
  focus.current = focusId;

  const refresh = useCallback(async () => {
    if (!eventId) return;
    try {
      const [m, mine] = await Promise.all([api.menu(eventId), api.myOrders(eventId)]);
      let list = mine.orders;
      // A scan's order is written a moment after the scan is accepted: read it by id until it is there.
      const scanned = focus.current;
      if (scanned && !list.some((o) => o.orderId === scanned)) {
        try {
          list = [await api.order(scanned), ...list];
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 'ORDER_NOT_FOUND')) throw e;
        }
      }
      setMenu(m);
      setOrders([...list].sort((a, b) => b.createdAt - a.createdAt));
    } catch (e) {
      setError(e);
    }
  }, [api, eventId]);

  // Until the scanned order can be read, read again every second.
  const starting = !!focusId && !orders.some((o) => o.orderId === focusId);
  useEffect(() => {
    if (!starting) return;
    const timer = setTimeout(() => void refresh(), 1000);
    return () => clearTimeout(timer);
  }, [starting, orders, refresh]);

  const scan = useCallback(
    async (event: string, code: string) => {
      setError(undefined);
      setScanError(undefined);
      setBusy(true);
      try {
        const { orderId } = await api.placeOrder(event, code);
        focus.current = orderId;
        setFocusId(orderId);
      } catch (e) {
        setScanError(e);
      } finally {
        setBusy(false);
      }
      await refresh();
    },
    [api, refresh],
  );

  // Arriving from the QR code: scan once, and take the code out of the URL so a reload does not scan again.
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const code = params.get('code');
    if (code && eventId) {
      params.delete('code');
      history.replaceState(null, '', `${location.pathname}?${params}`);
      void scan(eventId, code);
    } else void refresh();
  }, []); // once, on arrival

  // The order's life, live: any message on the customer's channel re-reads the orders.
  useEffect(() => {
    if (!eventId) return;
    const seen = firstSight();
    const sub = realtime.subscribe<CustomerOrderMessage>(customerChannel(eventId, user.sub), {
      onData: (message) => seen(message) && void refresh(),
      poll: refresh,
    });
    return () => sub.unsubscribe();
  }, [eventId, realtime, user.sub, refresh]);

  const current = useMemo(
    () => orders.find((o) => o.orderId === focusId) ?? orders.find((o) => OPEN.has(o.status)),
    [orders, focusId],
  );

  // Queued: the orders ahead move on without a message on this channel, so read the place again.
  const queued = !!current && isQueued(current);
  useEffect(() => {
    if (!queued) return;
    const timer = setInterval(() => void refresh(), PLACE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [queued, refresh]);

  const orderDrink = async (drink: string, modifiers: string[]) => {
    if (!current) return;
    setError(undefined);
    setBusy(true);
    try {
      await api.orderDrink(current.orderId, { drink, modifiers });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
    await refresh();
  };
  const cancel = async () => {
    if (!current) return;
    setError(undefined);
    try {
      await api.cancel(current.orderId);
    } catch (e) {
      setError(e);
    }
    await refresh();
  };

  const open = current && OPEN.has(current.status);
  return (
    <>
      <header class="topbar">
        <strong>Serverlesspresso{eventId ? ` · ${eventId}` : ''}</strong>
        <ConnectionBadge realtime={realtime} />
      </header>
      <ErrorText error={error} />
      {starting && (
        <section class="card" aria-live="polite">
          <h1>Starting your order…</h1>
          <p>The coffee bar is taking your order. This takes a few seconds.</p>
        </section>
      )}
      {current && !starting && (
        <OrderCard order={current}>
          {current.status === 'CREATED' && menu && <DrinkMenu menu={menu} onOrder={orderDrink} busy={busy} />}
          {(current.status === 'CREATED' || current.status === 'SUBMITTED') && (
            <button class="secondary" onClick={cancel}>
              Cancel my order
            </button>
          )}
        </OrderCard>
      )}
      {!open && !starting && (
        <CodeForm
          eventId={eventId}
          again={orders.length > 0}
          error={scanError}
          onCode={(event, code) => {
            localStorage.setItem('presso.event', event);
            setEventId(event);
            void scan(event, code);
          }}
        />
      )}
      {orders.length > 0 && (
        <section>
          <h2>My orders{eventId ? ` at ${eventId}` : ''}</h2>
          <ul class="orders">
            {orders.map((o) => (
              <li key={o.orderId}>
                <span>
                  {o.orderNumber ? `#${o.orderNumber} ` : ''}
                  {drinkText(o)}
                </span>
                <span class="muted">{statusLine(o)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <footer class="row muted">
        <span>Signed in as {user.email}</span>
        <button class="secondary" onClick={() => void session.auth.signOut()}>
          Sign out
        </button>
      </footer>
    </>
  );
}

mount((session) => <OrderApp session={session} />);
