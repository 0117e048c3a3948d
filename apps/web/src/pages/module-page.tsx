import { moduleName, parentProjectPath } from '@slipway/domain';
import { useState } from 'react';
import { useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import type { Problem } from '../api/api-error';
import { useModule } from '../api/queries';
import { useCurrentUser } from '../api/session';
import { Breadcrumbs } from '../components/breadcrumbs';
import { ErrorMessage, Loading } from '../components/error-message';
import { ModuleList } from '../components/module-list';
import { draftFromDocument } from './module/draft';
import { ModuleEditor } from './module/module-editor';
import { RunDialog } from './run-dialog';

const KIND_LABEL = { project: 'Project', image: 'Machine image', deployment: 'Deployment' };

/** /modules/<path>[?version=N]: a project (with its modules), an image or a deployment. */
export function ModulePage() {
  const path = useParams()['*'] ?? '';
  const [params] = useSearchParams();
  const version = params.get('version') ? Number(params.get('version')) : undefined;
  const module = useModule(path, version);
  const user = useCurrentUser();
  const navigate = useNavigate();
  const location = useLocation();
  const [running, setRunning] = useState(false);
  const warnings = (location.state as { warnings?: Problem[] } | null)?.warnings ?? [];

  if (module.isPending) {
    return (
      <section>
        <Breadcrumbs path={path} />
        <Loading what={path} />
      </section>
    );
  }
  if (module.isError) {
    return (
      <section>
        <Breadcrumbs path={path} />
        <h1>{moduleName(path)}</h1>
        <ErrorMessage error={module.error} />
      </section>
    );
  }
  const view = module.data;
  const kind = view.kind;
  const canEdit = Boolean(user && (user.email === view.owner || user.isAdmin));

  return (
    <section>
      <Breadcrumbs path={path} />
      <div className="page-title">
        <h1>
          {moduleName(path)} <span className="kind-label">{KIND_LABEL[kind]}</span>
        </h1>
        {view.version !== view.latestVersion && (
          <p className="notice" role="status">
            You are looking at version {view.version}; the latest is {view.latestVersion}.
          </p>
        )}
      </div>
      {warnings.length > 0 && (
        <div className="notice" role="status">
          <p>Saved, with warnings:</p>
          <ul>
            {warnings.map((warning, i) => (
              <li key={i}>
                <code>{warning.at.join('.')}</code> {warning.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {kind === 'project' && (
        <>
          <div className="actions project-actions">
            <button
              type="button"
              onClick={() => navigate(`/new/project?parent=${encodeURIComponent(path)}`)}
            >
              New Project
            </button>
            <button
              type="button"
              onClick={() => navigate(`/new/image?parent=${encodeURIComponent(path)}`)}
            >
              New Machine Image
            </button>
            <button
              type="button"
              onClick={() => navigate(`/new/deployment?parent=${encodeURIComponent(path)}`)}
            >
              New Deployment
            </button>
          </div>
          <h2 className="visually-hidden">Modules in {path}</h2>
          <ModuleList parent={path} />
        </>
      )}
      <ModuleEditor
        key={`${view.path}@${view.version}`}
        view={view}
        initialDraft={draftFromDocument(view.document)}
        canEdit={canEdit}
        onSaved={(saved, savedWarnings) =>
          navigate(`/modules/${saved}`, { replace: true, state: { warnings: savedWarnings } })
        }
        {...(kind !== 'project' && { onRun: () => setRunning(true) })}
      />
      {running && (
        <RunDialog
          module={view}
          onClose={() => setRunning(false)}
          onLaunched={(id) => navigate(`/runs/${id}`)}
        />
      )}
      {parentProjectPath(path) === null && kind !== 'project' && (
        <p className="hint">This module is not in a project.</p>
      )}
    </section>
  );
}
