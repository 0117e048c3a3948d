import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession, type User } from '../api/session';
import { ErrorMessage } from '../components/error-message';

export function LoginPage() {
  const { api, signedIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const confirmed = params.get('confirmed');
  const [email, setEmail] = useState(confirmed ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user, csrfToken } = await api.request<{ user: User; csrfToken: string }>(
        '/api/auth/login',
        { method: 'POST', body: { email, password } },
      );
      signedIn(user, csrfToken);
      const next = params.get('next');
      navigate(next?.startsWith('/') ? next : '/projects');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="narrow">
      <h1>Log in</h1>
      {confirmed && (
        <p className="notice" role="status">
          {confirmed} is confirmed: you can log in.
        </p>
      )}
      <form onSubmit={(event) => void onSubmit(event)} className="form">
        <label>
          E-mail
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Log in
          </button>
        </div>
      </form>
      <p>
        No account yet? <Link to="/register">Register</Link>
      </p>
    </section>
  );
}
