import { Link } from 'react-router';
import { useModuleVersions } from '../../api/queries';
import { ErrorMessage, Loading } from '../../components/error-message';
import { CompareVersions } from './compare-versions';

export function VersionsTab({ path, current }: { path: string; current: number }) {
  const versions = useModuleVersions(path);
  if (versions.isPending) return <Loading what="versions" />;
  if (versions.isError) return <ErrorMessage error={versions.error} />;
  return (
    <>
      <table className="table versions">
        <colgroup>
          <col className="col-narrow" />
          <col className="col-date" />
          <col className="col-owner" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Saved</th>
            <th scope="col">By</th>
            <th scope="col">Comment</th>
          </tr>
        </thead>
        <tbody>
          {versions.data.versions.map((version) => (
            <tr key={version.version} aria-current={version.version === current || undefined}>
              <td className="num">
                {version.version === current ? (
                  <strong>{version.version}</strong>
                ) : (
                  <Link
                    to={`/modules/${path}?version=${version.version}`}
                    aria-label={`Open version ${version.version}`}
                  >
                    {version.version}
                  </Link>
                )}
              </td>
              <td>{new Date(version.createdAt).toLocaleString()}</td>
              <td className="truncate">{version.author}</td>
              <td className="truncate">{version.comment}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CompareVersions path={path} versions={versions.data.versions} />
    </>
  );
}
