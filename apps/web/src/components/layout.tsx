import { useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { useSession } from '../api/session';
import { ErrorMessage } from './error-message';

export function Layout() {
  const { session, logOut } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const user = session.status === 'signed-in' ? session.user : null;

  async function onLogOut() {
    setError(null);
    try {
      await logOut();
      navigate('/login');
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/projects" className="brand">
          Slipway
        </Link>
        {user && (
          <nav aria-label="Main" className="main-nav">
            <NavLink to="/projects">Projects</NavLink>
            <NavLink to="/dashboard">Dashboard</NavLink>
            <NavLink to="/profile">Profile</NavLink>
          </nav>
        )}
        <div className="user-box">
          {user ? (
            <>
              <span className="user-email">{user.email}</span>
              <button type="button" onClick={() => void onLogOut()}>
                Log out
              </button>
            </>
          ) : (
            <Link to="/login">Log in</Link>
          )}
        </div>
      </header>
      <ErrorMessage error={error} />
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}
