import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app';
import { api, apiError, never, server, USER } from '../testing/server';

function signedOut() {
  server.use(http.get(api('/api/me'), () => apiError(401, 'unauthenticated', 'log in first')));
}

describe('logging in and registering', () => {
  it('waits for the session before deciding', async () => {
    server.use(http.get(api('/api/me'), () => never()));
    renderApp('/projects');
    expect(await screen.findByText('Loading your session…')).toBeTruthy();
  });

  it('sends a signed-out visitor to the login page', async () => {
    signedOut();
    renderApp('/dashboard');
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeTruthy();
  });

  it("shows the API's message next to the form when the password is wrong", async () => {
    signedOut();
    server.use(
      http.post(api('/api/auth/login'), () =>
        apiError(401, 'unauthenticated', 'wrong e-mail address or password'),
      ),
    );
    renderApp('/login');
    await userEvent.type(await screen.findByLabelText('E-mail'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'wrong e-mail address or password',
    );
  });

  it('logs in, shows the user and sends the CSRF token when logging out', async () => {
    signedOut();
    let logoutCsrf: string | null = null;
    server.use(
      http.post(api('/api/auth/login'), () =>
        HttpResponse.json({ user: USER, csrfToken: 'csrf-9' }),
      ),
      http.get(api('/api/modules'), () => HttpResponse.json({ modules: [] })),
      http.post(api('/api/auth/logout'), ({ request }) => {
        logoutCsrf = request.headers.get('X-CSRF-Token');
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderApp('/login?confirmed=ada%40example.com');
    expect(await screen.findByText('ada@example.com is confirmed: you can log in.')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('heading', { name: 'Projects' })).toBeTruthy();
    expect(screen.getByText('ada@example.com')).toBeTruthy();
    for (const name of ['Projects', 'Dashboard', 'Profile'])
      expect(screen.getByRole('link', { name })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Log out' }));
    await waitFor(() => expect(logoutCsrf).toBe('csrf-9'));
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeTruthy();
  });

  it('registers and says where the confirmation link is; shows problems otherwise', async () => {
    signedOut();
    let attempts = 0;
    server.use(
      http.post(api('/api/auth/register'), () => {
        attempts += 1;
        if (attempts === 1)
          return apiError(400, 'invalid_request', 'the request is not valid', [
            { at: ['body', 'email'], message: 'this e-mail address is already registered' },
          ]);
        return HttpResponse.json({ user: { ...USER, confirmed: false } }, { status: 201 });
      }),
    );
    renderApp('/register');
    await userEvent.type(await screen.findByLabelText('E-mail'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText(/Password/), 'long enough password');
    await userEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'this e-mail address is already registered',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect((await screen.findByRole('status')).textContent).toContain('the link is in the API log');
  });
});
