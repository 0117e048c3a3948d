import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { MemoryRouter, useLocation, type Location } from 'react-router';
import { SessionProvider, type LiveSource, type OpenLiveSource } from '../api/session';
import { App } from '../app';
import { ORIGIN } from './server';

/** A fake EventSource: the test emits what the server would send. */
export class FakeLiveSource implements LiveSource {
  listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: unknown) {
    for (const listener of this.listeners.get(type) ?? [])
      listener(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

/** Keeps the router's current location where a test can read it (the address bar). */
function LocationProbe({ into }: { into: { current: Location | null } }) {
  into.current = useLocation();
  return null;
}

export function renderApp(path: string) {
  const sources: FakeLiveSource[] = [];
  const openLive: OpenLiveSource = (url) => {
    const source = new FakeLiveSource(url);
    sources.push(source);
    return source;
  };
  const fetcher: typeof fetch = (input, init) => fetch(new URL(String(input), ORIGIN), init);
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: 0 } },
  });
  const location: { current: Location | null } = { current: null };
  const view = render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <SessionProvider openLive={openLive} fetcher={fetcher}>
          <App />
          <LocationProbe into={location} />
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...view, sources, queryClient, location: () => location.current };
}
