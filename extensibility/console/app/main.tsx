// The local console: one page per service of the local cloud, a hash route each (#/stacks,
// #/states, #/execution/<arn>, #/events, #/bus/<name>, #/dlq, #/dynamodb, #/lambda), live from the edge's
// Server-Sent Events. It reads only the edge: AWS APIs and /_presso/ routes.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { admin } from './api.js';
import { StacksPage } from './pages/stacks.js';
import { StateMachinesPage, StateMachinePage } from './pages/states.js';
import { ExecutionPage } from './pages/execution.js';
import { BusesPage, BusPage } from './pages/events.js';
import { DeadLettersPage } from './pages/dlq.js';
import { TablesPage } from './pages/dynamodb.js';
import { FunctionsPage } from './pages/lambda.js';
import { CatalogPage } from './pages/catalog.js';
import './style.css';

const NAV = [
  ['stacks', 'Stacks'],
  ['states', 'Step Functions'],
  ['events', 'EventBridge'],
  ['dlq', 'Dead letters'],
  ['dynamodb', 'DynamoDB'],
  ['lambda', 'Lambda'],
  ['catalog', 'Events catalog'],
] as const;

const route = () => location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

/** Shown on every page when the edge listens beyond the loopback interface (presso up --host). */
function HostBanner() {
  const [host, setHost] = useState<string>();
  useEffect(() => {
    admin<{ url: string }>('health').then(
      ({ url }) => setHost(new URL(url).hostname),
      () => undefined,
    );
  }, []);
  if (!host || LOOPBACK.test(host)) return null;
  return (
    <p class="banner" role="alert">
      This local cloud listens on {host} (presso up --host), so anyone who reaches this machine can use this console and
      its APIs. Restart without --host to keep it to this machine.
    </p>
  );
}

function App() {
  const [path, setPath] = useState(route);
  useEffect(() => {
    const on = () => setPath(route());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const [page = 'stacks', ...rest] = path;
  let body;
  switch (page) {
    case 'states':
      body = rest[0] ? <StateMachinePage arn={rest[0]} /> : <StateMachinesPage />;
      break;
    case 'execution':
      body = <ExecutionPage arn={rest[0] ?? ''} />;
      break;
    case 'events':
      body = <BusesPage />;
      break;
    case 'bus':
      body = <BusPage name={rest[0] ?? 'default'} />;
      break;
    case 'dlq':
      body = <DeadLettersPage />;
      break;
    case 'catalog':
      body = <CatalogPage />;
      break;
    case 'lambda':
      body = <FunctionsPage name={rest[0]} />;
      break;
    case 'dynamodb':
      body = <TablesPage table={rest[0]} />;
      break;
    default:
      body = <StacksPage />;
  }
  const section = page === 'execution' ? 'states' : page === 'bus' ? 'events' : page;
  return (
    <>
      <HostBanner />
      <header>
        <p class="brand">presso local console</p>
        <nav aria-label="Services">
          <ul>
            {NAV.map(([id, label]) => (
              <li>
                <a href={`#/${id}`} aria-current={section === id ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main>{body}</main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
