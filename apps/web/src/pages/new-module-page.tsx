import { ModuleKind } from '@slipway/domain';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { Breadcrumbs } from '../components/breadcrumbs';
import { emptyDraft } from './module/draft';
import { ModuleEditor } from './module/module-editor';

const TITLE = { project: 'New project', image: 'New machine image', deployment: 'New deployment' };

/** /new/<kind>?parent=<project>: the module form in edit mode, saved under the project. */
export function NewModulePage() {
  const parsed = ModuleKind.safeParse(useParams().kind);
  const [params] = useSearchParams();
  const parent = params.get('parent');
  const navigate = useNavigate();
  if (!parsed.success) return <p role="alert">There is no such kind of module.</p>;
  const kind = parsed.data;
  return (
    <section>
      <Breadcrumbs path={parent} />
      <div className="page-title">
        <h1>{TITLE[kind]}</h1>
      </div>
      <ModuleEditor
        key={`${kind}:${parent ?? ''}`}
        view={null}
        initialDraft={emptyDraft(kind, '')}
        newIn={{ parent }}
        canEdit
        onSaved={(path, warnings) => navigate(`/modules/${path}`, { state: { warnings } })}
        onCancelNew={() => navigate(parent ? `/modules/${parent}` : '/projects')}
      />
    </section>
  );
}
