// GraphiQL served by the gateway itself: every file comes from npm at build time, nothing from a CDN,
// so it works offline. Each example of docs/operations.graphql opens in a tab of its own.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import operations from '../../docs/operations.graphql?raw';
import { exampleTabs } from './examples';

const fetcher = createGraphiQLFetcher({
  url: new URL('/graphql', window.location.href).toString(),
  // The refresh cookie (Path=/graphql) rides along, so refreshSession works from here too.
  fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
});

createRoot(document.getElementById('explorer')!).render(
  <GraphiQL fetcher={fetcher} defaultTabs={exampleTabs(operations)} defaultEditorToolsVisibility="headers" />,
);
