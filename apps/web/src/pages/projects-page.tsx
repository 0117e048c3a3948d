import { useNavigate } from 'react-router';
import { Breadcrumbs } from '../components/breadcrumbs';
import { ModuleList } from '../components/module-list';

/** The root projects the user may read. */
export function ProjectsPage() {
  const navigate = useNavigate();
  return (
    <section>
      <Breadcrumbs path={null} />
      <div className="page-title">
        <h1>Projects</h1>
        <div className="actions">
          <button type="button" onClick={() => navigate('/new/project')}>
            New Project
          </button>
        </div>
      </div>
      <ModuleList parent={null} />
    </section>
  );
}
