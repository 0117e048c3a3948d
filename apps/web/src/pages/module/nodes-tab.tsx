import type { ModuleView } from '@slipway/contracts';
import { BUILTIN_OUTPUTS, type Parameter } from '@slipway/domain';
import { useQueries } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { modulePathUrl } from '../../api/api-client';
import { useApi } from '../../api/session';
import { ErrorMessage } from '../../components/error-message';
import { ModuleChooser } from '../../components/module-chooser';
import { DeploymentPicture } from './deployment-picture';
import { nodeNameFor, type DeploymentDraft, type NodeDraft } from './draft';
import { Field, messagesAt, type TabProps } from './fields';

/** Every parameter of each node's image (inherited ones included), by image reference. */
export function useImageParameters(images: string[]) {
  const api = useApi();
  const unique = [...new Set(images.filter((image) => image.trim() !== ''))];
  const results = useQueries({
    queries: unique.map((image) => {
      const [path, version] = image.split('@');
      return {
        queryKey: ['modules', 'read', path, version ? Number(version) : null],
        queryFn: () =>
          api.request<ModuleView>(
            `/api/modules/${modulePathUrl(path ?? '')}${version ? `?version=${version}` : ''}`,
          ),
        retry: false,
      };
    }),
  });
  const byImage = new Map<string, { parameters: Parameter[] | null; error: unknown }>();
  unique.forEach((image, i) => {
    const result = results[i];
    const view = result?.data;
    const parameters = view
      ? (view.effectiveParameters ??
        (view.document.kind === 'image' ? view.document.parameters : []))
      : null;
    byImage.set(image, { parameters, error: result?.error ?? null });
  });
  return byImage;
}

export function NodesTab({ draft, editing, onChange, problems }: TabProps<DeploymentDraft>) {
  const [choosing, setChoosing] = useState<{ node: number | null } | null>(null);
  const parameters = useImageParameters(draft.nodes.map((node) => node.image));

  function updateNode(index: number, node: NodeDraft) {
    onChange({ ...draft, nodes: draft.nodes.map((n, i) => (i === index ? node : n)) });
  }
  function choose(path: string) {
    if (!choosing) return;
    if (choosing.node === null) {
      const name = nodeNameFor(
        path,
        draft.nodes.map((node) => node.name),
      );
      onChange({
        ...draft,
        nodes: [
          ...draft.nodes,
          { name, image: path, multiplicity: 1, maxProvisioningFailures: 0, mappings: {} },
        ],
      });
    } else {
      const node = draft.nodes[choosing.node];
      if (node) updateNode(choosing.node, { ...node, image: path });
    }
    setChoosing(null);
  }

  /** `node:output` for every output of every other node: what a "Linked to" field may name. */
  function linkOptions(except: string): string[] {
    return draft.nodes
      .filter((node) => node.name !== except && node.name !== '')
      .flatMap((node) => {
        const outputs = new Set<string>(BUILTIN_OUTPUTS);
        for (const parameter of parameters.get(node.image)?.parameters ?? [])
          if (parameter.kind === 'output') outputs.add(parameter.name);
        return [...outputs].map((output) => `${node.name}:${output}`);
      });
  }

  return (
    <div className="tab-content">
      <DeploymentPicture nodes={draft.nodes} />
      {draft.nodes.length === 0 && <p className="empty">No node yet.</p>}
      {draft.nodes.map((node, index) => (
        <NodeEditor
          key={index}
          index={index}
          node={node}
          editing={editing}
          images={parameters.get(node.image) ?? { parameters: null, error: null }}
          linkOptions={linkOptions(node.name)}
          problems={problems}
          onChange={(next) => updateNode(index, next)}
          onRemove={() => onChange({ ...draft, nodes: draft.nodes.filter((_, i) => i !== index) })}
          onChooseImage={() => setChoosing({ node: index })}
        />
      ))}
      {editing && (
        <button type="button" onClick={() => setChoosing({ node: null })}>
          Add Node
        </button>
      )}
      {choosing && (
        <ModuleChooser
          title="Choose the node's image"
          onClose={() => setChoosing(null)}
          onSelect={choose}
        />
      )}
    </div>
  );
}

interface NodeEditorProps {
  index: number;
  node: NodeDraft;
  editing: boolean;
  images: { parameters: Parameter[] | null; error: unknown };
  linkOptions: string[];
  problems: TabProps<DeploymentDraft>['problems'];
  onChange(node: NodeDraft): void;
  onRemove(): void;
  onChooseImage(): void;
}

function NodeEditor({
  index,
  node,
  editing,
  images,
  linkOptions,
  problems,
  onChange,
  onRemove,
  onChooseImage,
}: NodeEditorProps) {
  const listId = useId();
  const at = (...rest: (string | number)[]) => [
    ['nodes', index, ...rest],
    ['nodes', node.name, ...rest],
  ];
  const inputs = (images.parameters ?? []).filter((parameter) => parameter.kind === 'input');
  const known = new Set(inputs.map((parameter) => parameter.name));
  const stale = Object.keys(node.mappings).filter((name) => !known.has(name));
  const label = node.name || `${index + 1}`;

  function setMapping(name: string, value: string) {
    const mappings = { ...node.mappings };
    if (value === '') delete mappings[name];
    else mappings[name] = value;
    onChange({ ...node, mappings });
  }

  const nodeProblems = messagesAt(problems, ...at());
  const fieldProblems = new Set([
    ...messagesAt(problems, ...at('name')),
    ...messagesAt(problems, ...at('image')),
    ...messagesAt(problems, ...at('multiplicity')),
    ...messagesAt(problems, ...at('cloud')),
    ...messagesAt(problems, ...at('mappings')),
  ]);
  const otherProblems = nodeProblems.filter((message) => !fieldProblems.has(message));

  return (
    <fieldset className="node" aria-label={`Node ${label}`}>
      <legend>Node {label}</legend>
      {editing ? (
        <div className="node-fields">
          <Field label="Node name" problems={messagesAt(problems, ...at('name'))}>
            {(props) => (
              <input
                {...props}
                value={node.name}
                onChange={(e) => onChange({ ...node, name: e.target.value })}
              />
            )}
          </Field>
          <Field label="Image" problems={messagesAt(problems, ...at('image'))}>
            {(props) => (
              <div className="input-with-button">
                <input
                  {...props}
                  value={node.image}
                  onChange={(e) => onChange({ ...node, image: e.target.value })}
                />
                <button
                  type="button"
                  onClick={onChooseImage}
                  aria-label={`Choose image of node ${label}`}
                >
                  Choose…
                </button>
              </div>
            )}
          </Field>
          <Field label="Multiplicity" problems={messagesAt(problems, ...at('multiplicity'))}>
            {(props) => (
              <input
                {...props}
                type="number"
                min={0}
                step={1}
                className="num"
                value={Number.isNaN(node.multiplicity) ? '' : node.multiplicity}
                onChange={(e) =>
                  onChange({
                    ...node,
                    multiplicity: e.target.value === '' ? Number.NaN : Number(e.target.value),
                  })
                }
              />
            )}
          </Field>
          <Field
            label="Cloud"
            hint="(empty: the run's default)"
            problems={messagesAt(problems, ...at('cloud'))}
          >
            {(props) => (
              <input
                {...props}
                value={node.cloud ?? ''}
                onChange={(e) => {
                  const { cloud: _old, ...rest } = node;
                  onChange(e.target.value === '' ? rest : { ...rest, cloud: e.target.value });
                }}
              />
            )}
          </Field>
          <button type="button" className="remove-node" onClick={onRemove}>
            Remove node {label}
          </button>
        </div>
      ) : (
        <dl className="facts">
          <dt>Image</dt>
          <dd>
            <Link to={`/modules/${node.image.split('@')[0]}`}>{node.image}</Link>
          </dd>
          <dt>Multiplicity</dt>
          <dd>{node.multiplicity}</dd>
          {node.cloud && (
            <>
              <dt>Cloud</dt>
              <dd>{node.cloud}</dd>
            </>
          )}
        </dl>
      )}
      <ErrorMessage error={images.error} />
      {otherProblems.length > 0 && (
        <ul className="field-problems" role="alert">
          {otherProblems.map((message, i) => (
            <li key={i}>{message}</li>
          ))}
        </ul>
      )}
      {(inputs.length > 0 || stale.length > 0) && (
        <table className="table mappings">
          <caption>Input parameters of node {label}</caption>
          <colgroup>
            <col className="col-name" />
            <col className="col-default" />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">Default</th>
              <th scope="col">Linked to</th>
            </tr>
          </thead>
          <tbody>
            {[...inputs.map((parameter) => parameter.name), ...stale].map((name) => {
              const parameter = inputs.find((p) => p.name === name);
              const messages = messagesAt(problems, ...at('mappings', name));
              return (
                <tr key={name} className={messages.length > 0 ? 'invalid' : undefined}>
                  <th scope="row">
                    <code>{name}</code>
                    {!parameter && <span className="hint"> (not an input of the image)</span>}
                  </th>
                  <td>{parameter?.default ?? ''}</td>
                  <td>
                    {editing ? (
                      <>
                        <input
                          aria-label={`${name} linked to`}
                          list={listId}
                          placeholder="node:output or 'constant'"
                          value={node.mappings[name] ?? ''}
                          aria-invalid={messages.length > 0 || undefined}
                          onChange={(e) => setMapping(name, e.target.value)}
                        />
                        {messages.length > 0 && (
                          <ul className="field-problems" role="alert">
                            {messages.map((message, i) => (
                              <li key={i}>{message}</li>
                            ))}
                          </ul>
                        )}
                      </>
                    ) : (
                      <code>{node.mappings[name] ?? ''}</code>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <datalist id={listId}>
        {linkOptions.map((option) => (
          <option key={option} value={option} />
        ))}
      </datalist>
    </fieldset>
  );
}
