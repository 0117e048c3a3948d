import { Link } from 'react-router';

/** Projects › a › b: every ancestor is a link, the last segment is where you are. */
export function Breadcrumbs({ path }: { path: string | null }) {
  const segments = path ? path.split('/') : [];
  return (
    <nav aria-label="Breadcrumbs" className="breadcrumbs">
      <ol>
        <li>
          {segments.length === 0 ? (
            <span aria-current="page">Projects</span>
          ) : (
            <Link to="/projects">Projects</Link>
          )}
        </li>
        {segments.map((segment, i) => {
          const to = segments.slice(0, i + 1).join('/');
          const last = i === segments.length - 1;
          return (
            <li key={to}>
              {last ? (
                <span aria-current="page">{segment}</span>
              ) : (
                <Link to={`/modules/${to}`}>{segment}</Link>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
