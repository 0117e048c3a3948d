import type { ModuleView, SaveModuleResponse } from '@slipway/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { modulePathUrl } from '../../api/api-client';
import { problemsOf, type Problem } from '../../api/api-error';
import { useApi } from '../../api/session';
import { ErrorMessage } from '../../components/error-message';
import { RunsList } from '../../components/runs-list';
import { Tabs, type TabDefinition } from '../../components/tabs';
import { AuthorizationTab } from './authorization-tab';
import { CreationTab } from './creation-tab';
import { documentFromDraft, type Draft } from './draft';
import { NodesTab } from './nodes-tab';
import { ParametersTab } from './parameters-tab';
import { ReferenceTab } from './reference-tab';
import { SummaryTab } from './summary-tab';
import { TargetsTab } from './targets-tab';
import { VersionsTab } from './versions-tab';

const TAB_OF_FIELD: Record<string, string> = {
  path: 'summary',
  description: 'summary',
  comment: 'summary',
  parent: 'reference',
  cloudImageIds: 'reference',
  instanceType: 'reference',
  parameters: 'parameters',
  targets: 'targets',
  packages: 'creation',
  recipe: 'creation',
  nodes: 'nodes',
};

interface ModuleEditorProps {
  /** The saved module; null while creating one. */
  view: ModuleView | null;
  initialDraft: Draft;
  /** Creating: the project it goes in. */
  newIn?: { parent: string | null };
  canEdit: boolean;
  onSaved(path: string, warnings: Problem[]): void;
  onCancelNew?(): void;
  onRun?(): void;
}

/** A module's tabs: in view mode only what is defined, in edit mode every tab, saved as one document. */
export function ModuleEditor({
  view,
  initialDraft,
  newIn,
  canEdit,
  onSaved,
  onCancelNew,
  onRun,
}: ModuleEditorProps) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(initialDraft);
  const [editing, setEditing] = useState(newIn !== undefined);
  const [params] = useSearchParams();
  // A link that compares versions (?diff=) opens on the comparison.
  const [tab, setTab] = useState(params.has('diff') ? 'versions' : 'summary');
  const [comment, setComment] = useState('');
  const [publicRead, setPublicRead] = useState(view?.publicRead ?? false);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const isLatest = !view || view.version === view.latestVersion;

  const path = newIn ? (newIn.parent ? `${newIn.parent}/${name.trim()}` : name.trim()) : draft.path;
  const problems = problemsOf(error).filter(
    (problem) => problem.module === undefined || problem.module === path,
  );
  const tabsWithProblems = new Set(
    problems.map((problem) => TAB_OF_FIELD[String(problem.at[0])] ?? 'summary'),
  );

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const document = { ...documentFromDraft(draft), path };
      const saved = await api.request<SaveModuleResponse>(`/api/modules/${modulePathUrl(path)}`, {
        method: 'PUT',
        body: { document, ...(comment.trim() && { comment: comment.trim() }) },
      });
      if (publicRead !== (view?.publicRead ?? false)) {
        await api.request(`/api/modules/${modulePathUrl(path)}`, {
          method: 'PATCH',
          body: { publicRead },
        });
      }
      await queryClient.invalidateQueries({ queryKey: ['modules'] });
      setEditing(false);
      setComment('');
      onSaved(path, saved.warnings);
    } catch (failure) {
      setError(failure);
      const first = problemsOf(failure)[0];
      if (first) setTab(TAB_OF_FIELD[String(first.at[0])] ?? 'summary');
    } finally {
      setSaving(false);
    }
  }

  function cancel() {
    if (newIn) return onCancelNew?.();
    setDraft(initialDraft);
    setPublicRead(view?.publicRead ?? false);
    setError(null);
    setEditing(false);
  }

  const tabProps = { editing, problems };
  const tabs: (TabDefinition & { shown: boolean })[] = [
    {
      id: 'summary',
      label: 'Summary',
      shown: true,
      render: () => (
        <SummaryTab
          {...tabProps}
          draft={draft}
          onChange={setDraft}
          view={view}
          comment={comment}
          onComment={setComment}
          {...(newIn && { name: { value: name, onChange: setName, parent: newIn.parent } })}
        />
      ),
    },
  ];
  if (draft.kind === 'image') {
    const image = draft;
    const inherited = view?.effectiveParameters ?? [];
    tabs.push(
      {
        id: 'reference',
        label: 'Reference',
        shown:
          Boolean(image.parent) ||
          Object.keys(image.cloudImageIds).length > 0 ||
          Object.keys(image.instanceType).length > 0,
        render: () => <ReferenceTab {...tabProps} draft={image} onChange={setDraft} />,
      },
      {
        id: 'parameters',
        label: 'Parameters',
        shown: image.parameters.length > 0 || inherited.length > 2,
        render: () => (
          <ParametersTab {...tabProps} draft={image} onChange={setDraft} inherited={inherited} />
        ),
      },
      {
        id: 'targets',
        label: 'Targets',
        shown: Object.values(image.targets).some((script) => script),
        render: () => <TargetsTab {...tabProps} draft={image} onChange={setDraft} />,
      },
      {
        id: 'creation',
        label: 'Creation',
        shown: image.packages.length > 0 || image.recipe !== '',
        render: () => <CreationTab {...tabProps} draft={image} onChange={setDraft} />,
      },
    );
  }
  if (draft.kind === 'deployment') {
    const deployment = draft;
    tabs.push({
      id: 'nodes',
      label: 'Nodes',
      shown: deployment.nodes.length > 0,
      render: () => <NodesTab {...tabProps} draft={deployment} onChange={setDraft} />,
    });
  }
  tabs.push({
    id: 'authorization',
    label: 'Authorization',
    shown: true,
    render: () => (
      <AuthorizationTab publicRead={publicRead} editing={editing} onChange={setPublicRead} />
    ),
  });
  if (view) {
    tabs.push({
      id: 'versions',
      label: 'Versions',
      shown: !editing,
      render: () => <VersionsTab path={view.path} current={view.version} />,
    });
    if (view.kind !== 'project') {
      tabs.push({
        id: 'runs',
        label: 'Runs',
        shown: !editing,
        render: () => <RunsList module={view.path} />,
      });
    }
  }
  const visible = tabs
    .filter((definition) =>
      editing
        ? definition.shown || !['versions', 'runs'].includes(definition.id)
        : definition.shown,
    )
    .map((definition) => ({ ...definition, hasProblems: tabsWithProblems.has(definition.id) }));

  return (
    <form
      className="module-editor"
      onSubmit={(event) => void save(event)}
      aria-label={editing ? 'Edit module' : 'Module'}
    >
      {/* Keys keep Edit and Save apart: were React to turn the clicked Edit button into the
          submit button, the click would go on to submit the form it just opened. */}
      <div className="toolbar">
        {editing ? (
          <>
            <button key="save" type="submit" className="primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
            <button key="cancel" type="button" onClick={cancel}>
              Cancel
            </button>
          </>
        ) : (
          <>
            {canEdit && isLatest && (
              <button key="edit" type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
            )}
            {onRun && (
              <button key="run" type="button" className="primary" onClick={onRun}>
                Run
              </button>
            )}
          </>
        )}
      </div>
      <ErrorMessage error={error} />
      <Tabs
        tabs={visible}
        selected={visible.some((t) => t.id === tab) ? tab : 'summary'}
        onSelect={setTab}
        label="Module sections"
      />
    </form>
  );
}
