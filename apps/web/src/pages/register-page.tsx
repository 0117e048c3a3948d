import { useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../api/session';
import { CredentialsForm, type Credentials } from '../components/credentials-form';

export function RegisterPage() {
  const api = useApi();
  const [registered, setRegistered] = useState<string | null>(null);

  async function register(credentials: Credentials) {
    const { user } = await api.request<{ user: { email: string } }>('/api/auth/register', {
      method: 'POST',
      body: credentials,
    });
    setRegistered(user.email);
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
      <CredentialsForm action="Register" newPassword onSubmit={register} />
      <p>
        Already registered? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
