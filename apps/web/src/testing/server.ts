import { http, HttpResponse, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';

export const ORIGIN = 'http://localhost:5173';
export const api = (path: string) => `${ORIGIN}${path}`;

export const USER = {
  id: '11111111-1111-4111-8111-111111111111',
  email: 'ada@example.com',
  isAdmin: false,
  confirmed: true,
};

/** Signed in as USER unless a test says otherwise; every other request must be handled by the test. */
export const server = setupServer(
  http.get(api('/api/me'), () => HttpResponse.json({ user: USER, csrfToken: 'csrf-1' })),
);

export function apiError(status: number, code: string, message: string, problems?: unknown[]) {
  return HttpResponse.json(
    { error: { code, message, ...(problems && { problems }) } } as JsonBodyType,
    { status },
  );
}

/** Answers after `ms`, so a test can see the loading state. */
export function never() {
  return new Promise<never>(() => {});
}
