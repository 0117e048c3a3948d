import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession, type User } from '../api/session';
import { CredentialsForm, type Credentials } from '../components/credentials-form';

export function LoginPage() {
  const { api, signedIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const confirmed = params.get('confirmed');

  async function logIn(credentials: Credentials) {
    const { user, csrfToken } = await api.request<{ user: User; csrfToken: string }>(
      '/api/auth/login',
      { method: 'POST', body: credentials },
    );
    signedIn(user, csrfToken);
    const next = params.get('next');
    navigate(next?.startsWith('/') ? next : '/projects');
  }

  return (
    <section className="narrow">
      <h1>Log in</h1>
      {confirmed && (
        <p className="notice" role="status">
          {confirmed} is confirmed: you can log in.
        </p>
      )}
      <CredentialsForm action="Log in" initialEmail={confirmed ?? ''} onSubmit={logIn} />
      <p>
        No account yet? <Link to="/register">Register</Link>
      </p>
    </section>
  );
}
