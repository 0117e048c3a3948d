import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useApi } from '../api/session';
import { ErrorMessage } from '../components/error-message';

export function RegisterPage() {
  const api = useApi();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [registered, setRegistered] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.request<{ user: { email: string } }>('/api/auth/register', {
        method: 'POST',
        body: { email, password },
      });
      setRegistered(user.email);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  if (registered) {
    return (
      <section className="narrow">
        <h1>Check your mail</h1>
        <p role="status">
          An account for <strong>{registered}</strong> is registered. Open the confirmation link
          sent to your mail (when no mail transport is set up, the link is in the API log), then{' '}
          <Link to="/login">log in</Link>.
        </p>
      </section>
    );
  }

  return (
    <section className="narrow">
      <h1>Register</h1>
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
          Password <span className="hint">(at least 10 characters)</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Register
          </button>
        </div>
      </form>
      <p>
        Already registered? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
