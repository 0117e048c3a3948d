import type { ModuleView } from '@slipway/contracts';
import type { Draft } from './draft';
import { Field, messagesAt, type TabProps } from './fields';

interface SummaryTabProps extends TabProps<Draft> {
  view: ModuleView | null;
  /** New modules only: the name under the parent project. */
  name?: { value: string; onChange(name: string): void; parent: string | null };
  comment: string;
  onComment(comment: string): void;
}

export function SummaryTab({
  draft,
  editing,
  onChange,
  problems,
  view,
  name,
  comment,
  onComment,
}: SummaryTabProps) {
  return (
    <div className="tab-content">
      {name && (
        <Field
          label="Name"
          hint={name.parent ? `in ${name.parent}` : '(a root project)'}
          problems={messagesAt(problems, ['path'])}
        >
          {(props) => (
            <input
              {...props}
              required
              value={name.value}
              onChange={(e) => name.onChange(e.target.value)}
            />
          )}
        </Field>
      )}
      {editing ? (
        <>
          <Field label="Description" problems={messagesAt(problems, ['description'])}>
            {(props) => (
              <textarea
                {...props}
                rows={3}
                value={draft.description}
                onChange={(e) => onChange({ ...draft, description: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="Comment"
            hint="(what this version changes)"
            problems={messagesAt(problems, ['comment'])}
          >
            {(props) => (
              <input {...props} value={comment} onChange={(e) => onComment(e.target.value)} />
            )}
          </Field>
        </>
      ) : (
        <p className="description">
          {draft.description || <span className="hint">No description.</span>}
        </p>
      )}
      {view && (
        <dl className="facts">
          <dt>Path</dt>
          <dd>
            <code>{view.path}</code>
          </dd>
          <dt>Version</dt>
          <dd>
            {view.version}
            {view.version !== view.latestVersion && ` (latest is ${view.latestVersion})`}
          </dd>
          <dt>Owner</dt>
          <dd>{view.owner}</dd>
          <dt>Saved</dt>
          <dd>
            {new Date(view.versionCreatedAt).toLocaleString()} by {view.author}
          </dd>
          {view.comment && (
            <>
              <dt>Comment</dt>
              <dd>{view.comment}</dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}
