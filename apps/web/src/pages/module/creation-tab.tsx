import type { ImageDraft } from './draft';
import { CodeEditor, CodeView, Field, messagesAt, type TabProps } from './fields';

export function CreationTab({ draft, editing, onChange, problems }: TabProps<ImageDraft>) {
  if (!editing) {
    return (
      <div className="tab-content">
        {draft.packages.length > 0 && (
          <>
            <h3>Packages</h3>
            <ul className="packages">
              {draft.packages.map((name) => (
                <li key={name}>
                  <code>{name}</code>
                </li>
              ))}
            </ul>
          </>
        )}
        {draft.recipe && (
          <>
            <h3>Recipe</h3>
            <CodeView text={draft.recipe} label="Recipe script" />
          </>
        )}
      </div>
    );
  }
  return (
    <div className="tab-content">
      <Field label="Packages" hint="(one per line)" problems={messagesAt(problems, ['packages'])}>
        {(props) => (
          <textarea
            {...props}
            className="code"
            rows={Math.max(3, draft.packages.length + 1)}
            spellCheck={false}
            value={draft.packages.join('\n')}
            onChange={(e) => onChange({ ...draft, packages: e.target.value.split('\n') })}
          />
        )}
      </Field>
      <Field
        label="Recipe"
        hint="(runs once when the image is built)"
        problems={messagesAt(problems, ['recipe'])}
      >
        {(props) => (
          <CodeEditor
            {...props}
            value={draft.recipe}
            onChange={(recipe) => onChange({ ...draft, recipe })}
          />
        )}
      </Field>
    </div>
  );
}
