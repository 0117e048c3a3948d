import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { createApiClient, type ApiClient } from './api-client';
import { ApiError } from './api-error';

export interface User {
  id: string;
  email: string;
  isAdmin: boolean;
  confirmed: boolean;
}

/** Something that delivers Server-Sent Events; EventSource in the browser, a fake in tests. */
export interface LiveSource {
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
  onerror: ((event: Event) => void) | null;
}
export type OpenLiveSource = (url: string) => LiveSource;

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; error?: string }
  | { status: 'signed-in'; user: User };

interface SessionContextValue {
  session: SessionState;
  api: ApiClient;
  openLive: OpenLiveSource;
  signedIn(user: User, csrfToken: string): void;
  logOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

const openEventSource: OpenLiveSource = (url) =>
  new EventSource(url, { withCredentials: true }) as unknown as LiveSource;

interface SessionProviderProps {
  children: ReactNode;
  /** Tests pass a fake; the browser uses EventSource. */
  openLive?: OpenLiveSource;
  fetcher?: typeof fetch;
}

/** Who is signed in (from GET /api/me after a reload) and the API client bound to their CSRF token. */
export function SessionProvider({ children, openLive, fetcher }: SessionProviderProps) {
  const csrf = useRef<string | null>(null);
  const [session, setSession] = useState<SessionState>({ status: 'loading' });
  const queryClient = useQueryClient();
  const api = useMemo(
    () => createApiClient(() => csrf.current, fetcher ?? ((...args) => fetch(...args))),
    [fetcher],
  );

  useEffect(() => {
    let cancelled = false;
    api
      .request<{ user: User; csrfToken: string | null }>('/api/me')
      .then(({ user, csrfToken }) => {
        if (cancelled) return;
        csrf.current = csrfToken;
        setSession({ status: 'signed-in', user });
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        const signedOut = error instanceof ApiError && error.status === 401;
        setSession({
          status: 'anonymous',
          ...(!signedOut && { error: error instanceof Error ? error.message : String(error) }),
        });
      });
    return () => {
      cancelled = true;
    };
  }, [api]);

  const signedIn = useCallback((user: User, csrfToken: string) => {
    csrf.current = csrfToken;
    setSession({ status: 'signed-in', user });
  }, []);

  const logOut = useCallback(async () => {
    try {
      await api.request('/api/auth/logout', { method: 'POST' });
    } finally {
      csrf.current = null;
      queryClient.clear();
      setSession({ status: 'anonymous' });
    }
  }, [api, queryClient]);

  const value = useMemo(
    () => ({ session, api, openLive: openLive ?? openEventSource, signedIn, logOut }),
    [session, api, openLive, signedIn, logOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The API client: credentials and the CSRF header on every request. */
export function useApi(): ApiClient {
  return useSession().api;
}

export function useCurrentUser(): User | null {
  const { session } = useSession();
  return session.status === 'signed-in' ? session.user : null;
}
