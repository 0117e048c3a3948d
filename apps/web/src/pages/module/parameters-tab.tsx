import type { Parameter } from '@slipway/domain';
import { BUILTIN_OUTPUTS } from '@slipway/domain';
import type { ImageDraft } from './draft';
import { Field, messagesAt, type TabProps } from './fields';

interface ParametersTabProps extends TabProps<ImageDraft> {
  /** Inherited parameters (from the reference image chain), read only. */
  inherited: Parameter[];
}

export function ParametersTab({
  draft,
  editing,
  onChange,
  problems,
  inherited,
}: ParametersTabProps) {
  const own = new Set(draft.parameters.map((parameter) => parameter.name));
  const fromParents = inherited.filter(
    (parameter) =>
      !own.has(parameter.name) && !(BUILTIN_OUTPUTS as readonly string[]).includes(parameter.name),
  );
  function update(index: number, parameter: Parameter) {
    onChange({
      ...draft,
      parameters: draft.parameters.map((p, i) => (i === index ? parameter : p)),
    });
  }
  function remove(index: number) {
    onChange({ ...draft, parameters: draft.parameters.filter((_, i) => i !== index) });
  }
  function add(kind: Parameter['kind']) {
    onChange({ ...draft, parameters: [...draft.parameters, { name: '', kind, description: '' }] });
  }

  return (
    <div className="tab-content">
      {(['input', 'output'] as const).map((kind) => {
        const heading = kind === 'input' ? 'Input parameters' : 'Output parameters';
        const rows = draft.parameters
          .map((parameter, index) => ({ parameter, index }))
          .filter(({ parameter }) => parameter.kind === kind);
        return (
          <section key={kind} aria-label={heading} className="parameter-section">
            <h3>{heading}</h3>
            <table className="table parameters">
              <colgroup>
                <col className="col-name" />
                <col className="col-default" />
                <col />
                {editing && <col className="col-action" />}
              </colgroup>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Default</th>
                  <th scope="col">Description</th>
                  {editing && (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {kind === 'output' &&
                  BUILTIN_OUTPUTS.map((name) => (
                    <tr key={name} className="builtin">
                      <td>
                        <code>{name}</code>
                      </td>
                      <td className="hint">set by Slipway</td>
                      <td>
                        built in:{' '}
                        {name === 'hostname'
                          ? 'the address other machines reach'
                          : "the cloud's id of the machine"}
                      </td>
                      {editing && <td />}
                    </tr>
                  ))}
                {fromParents
                  .filter((parameter) => parameter.kind === kind)
                  .map((parameter) => (
                    <tr key={`inherited-${parameter.name}`} className="inherited">
                      <td>
                        <code>{parameter.name}</code>
                      </td>
                      <td>{parameter.default ?? ''}</td>
                      <td>
                        {parameter.description} <span className="hint">(inherited)</span>
                      </td>
                      {editing && <td />}
                    </tr>
                  ))}
                {rows.map(({ parameter, index }) =>
                  editing ? (
                    <tr key={index}>
                      <td>
                        <Field
                          label={<span className="visually-hidden">Name</span>}
                          problems={messagesAt(
                            problems,
                            ['parameters', index, 'name'],
                            ['parameters', index],
                          )}
                        >
                          {(props) => (
                            <input
                              {...props}
                              aria-label={`${kind} parameter ${index + 1} name`}
                              value={parameter.name}
                              onChange={(e) =>
                                update(index, { ...parameter, name: e.target.value })
                              }
                            />
                          )}
                        </Field>
                      </td>
                      <td>
                        <Field
                          label={<span className="visually-hidden">Default</span>}
                          problems={messagesAt(problems, ['parameters', index, 'default'])}
                        >
                          {(props) => (
                            <input
                              {...props}
                              aria-label={`${parameter.name || `${kind} parameter ${index + 1}`} default`}
                              value={parameter.default ?? ''}
                              onChange={(e) => {
                                const { default: _old, ...rest } = parameter;
                                update(
                                  index,
                                  e.target.value === ''
                                    ? rest
                                    : { ...rest, default: e.target.value },
                                );
                              }}
                            />
                          )}
                        </Field>
                      </td>
                      <td>
                        <input
                          aria-label={`${parameter.name || `${kind} parameter ${index + 1}`} description`}
                          value={parameter.description}
                          onChange={(e) =>
                            update(index, { ...parameter, description: e.target.value })
                          }
                        />
                      </td>
                      <td>
                        <button
                          type="button"
                          onClick={() => remove(index)}
                          aria-label={`Remove parameter ${parameter.name || index + 1}`}
                        >
                          Remove
                        </button>
                      </td>
                    </tr>
                  ) : (
                    <tr key={index}>
                      <td>
                        <code>{parameter.name}</code>
                      </td>
                      <td>{parameter.default ?? ''}</td>
                      <td>{parameter.description}</td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
            {editing && (
              <button type="button" onClick={() => add(kind)}>
                Add Parameter
              </button>
            )}
          </section>
        );
      })}
    </div>
  );
}
