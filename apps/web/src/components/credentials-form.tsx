import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';

export interface Credentials {
  email: string;
  password: string;
}

interface CredentialsFormProps {
  /** The submit button's label. */
  action: string;
  /** A new password (registering) is at least 10 characters and not one the browser fills in. */
  newPassword?: boolean;
  initialEmail?: string;
  /** Throws the API's error to show it above the button. */
  onSubmit(credentials: Credentials): Promise<void>;
}

/** E-mail and password, as logging in and registering ask for them. */
export function CredentialsForm({
  action,
  newPassword = false,
  initialEmail = '',
  onSubmit,
}: CredentialsFormProps) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit({ email, password });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} className="form">
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
        {newPassword && (
          <>
            {' '}
            <span className="hint">(at least 10 characters)</span>
          </>
        )}
        <input
          type="password"
          autoComplete={newPassword ? 'new-password' : 'current-password'}
          required
          {...(newPassword && { minLength: 10 })}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {action}
        </button>
      </div>
    </form>
  );
}
