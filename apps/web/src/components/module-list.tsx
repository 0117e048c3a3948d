import type { ModuleListItem } from '@slipway/contracts';
import { moduleName } from '@slipway/domain';
import { Link } from 'react-router';
import { useModuleList } from '../api/queries';
import { ErrorMessage, Loading } from './error-message';

const KIND_LABEL = { project: 'Project', image: 'Machine image', deployment: 'Deployment' };

/** The modules directly in a project (or the root projects), as the project browser lists them. */
export function ModuleList({ parent }: { parent: string | null }) {
  const list = useModuleList(parent);
  if (list.isPending) return <Loading what="modules" />;
  if (list.isError) return <ErrorMessage error={list.error} />;
  const modules = list.data.modules;
  if (modules.length === 0)
    return <p className="empty">{parent ? 'This project is empty.' : 'No projects yet.'}</p>;
  return (
    <table className="table module-list">
      <colgroup>
        <col className="col-name" />
        <col className="col-kind" />
        <col className="narrow-hide" />
        <col className="col-owner" />
        <col className="col-narrow" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Kind</th>
          <th scope="col" className="narrow-hide">
            Description
          </th>
          <th scope="col">Owner</th>
          <th scope="col">Version</th>
        </tr>
      </thead>
      <tbody>
        {modules.map((module: ModuleListItem) => (
          <tr key={module.path}>
            <td>
              <Link to={`/modules/${module.path}`} className={`kind-${module.kind}`}>
                {moduleName(module.path)}
              </Link>
              {module.publicRead && <span className="badge">public</span>}
            </td>
            <td>{KIND_LABEL[module.kind]}</td>
            <td className="truncate narrow-hide">{module.description}</td>
            <td className="truncate">{module.owner}</td>
            <td className="num">{module.latestVersion}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
