import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { useSession } from './api/session';
import { ErrorMessage, Loading } from './components/error-message';
import { Layout } from './components/layout';
import { DashboardPage } from './pages/dashboard-page';
import { LoginPage } from './pages/login-page';
import { ModulePage } from './pages/module-page';
import { NewModulePage } from './pages/new-module-page';
import { ProfilePage } from './pages/profile-page';
import { ProjectsPage } from './pages/projects-page';
import { RegisterPage } from './pages/register-page';
import { RunPage } from './pages/run-page';

/** Pages behind the login: a signed-out visitor goes to /login and comes back after. */
function RequireSignIn() {
  const { session } = useSession();
  const location = useLocation();
  if (session.status === 'loading') return <Loading what="your session" />;
  if (session.status === 'anonymous') {
    if (session.error) return <ErrorMessage error={new Error(session.error)} />;
    const back = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${back}`} replace />;
  }
  return <Outlet />;
}

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route element={<RequireSignIn />}>
          <Route index element={<Navigate to="/projects" replace />} />
          <Route path="/projects" element={<ProjectsPage />} />
          <Route path="/modules/*" element={<ModulePage />} />
          <Route path="/new/:kind" element={<NewModulePage />} />
          <Route path="/runs/:id" element={<RunPage />} />
          <Route path="/dashboard" element={<DashboardPage />} />
          <Route path="/profile" element={<ProfilePage />} />
          <Route path="*" element={<p>There is no page here.</p>} />
        </Route>
      </Route>
    </Routes>
  );
}
