import { moduleName } from '@slipway/domain';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useModuleList } from '../api/queries';
import { Dialog } from './dialog';
import { ErrorMessage, Loading } from './error-message';

interface ModuleChooserProps {
  title: string;
  /** The project to open first (null: the root projects). */
  startAt?: string | null;
  onSelect(path: string): void;
  onClose(): void;
}

/**
 * Browses projects and selects one machine image; nothing else can be selected. For the
 * keyboard: the focus starts on the first item and moves to the first item of each project
 * opened (the button that opened it is gone); the arrow keys move between items.
 */
export function ModuleChooser({ title, startAt = null, onSelect, onClose }: ModuleChooserProps) {
  const [project, setProject] = useState<string | null>(startAt);
  const [chosen, setChosen] = useState<string | null>(null);
  const list = useModuleList(project);
  const segments = project ? project.split('/') : [];
  const listRef = useRef<HTMLDivElement>(null);

  // The list itself holds the focus only while its modules load (the dialog opens on it, and
  // opening a project puts it there); once they are in, the first one takes it.
  useEffect(() => {
    if (list.data && document.activeElement === listRef.current)
      listRef.current?.querySelector<HTMLElement>('.chooser-item')?.focus();
  }, [list.data]);

  function open(path: string | null) {
    setProject(path);
    setChosen(null);
    listRef.current?.focus();
  }

  function onListKeyDown(event: KeyboardEvent) {
    const items = [...(listRef.current?.querySelectorAll<HTMLElement>('.chooser-item') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next =
      event.key === 'ArrowDown'
        ? items[Math.min(at + 1, items.length - 1)]
        : event.key === 'ArrowUp'
          ? items[Math.max(at - 1, 0)]
          : event.key === 'Home'
            ? items[0]
            : event.key === 'End'
              ? items.at(-1)
              : undefined;
    if (!next) return;
    event.preventDefault();
    next.focus();
  }

  return (
    <Dialog title={title} onClose={onClose}>
      <nav aria-label="Chooser location" className="breadcrumbs">
        <ol>
          <li>
            <button type="button" className="link-button" onClick={() => open(null)}>
              Projects
            </button>
          </li>
          {segments.map((segment, i) => {
            const path = segments.slice(0, i + 1).join('/');
            return (
              <li key={path}>
                <button type="button" className="link-button" onClick={() => open(path)}>
                  {segment}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      <div
        className="chooser-list"
        ref={listRef}
        tabIndex={-1}
        data-autofocus
        role="group"
        aria-label={project ? `Modules in ${project}` : 'Projects'}
        onKeyDown={onListKeyDown}
      >
        {list.isPending && <Loading what="modules" />}
        {list.isError && <ErrorMessage error={list.error} />}
        {list.data && (
          <ul>
            {list.data.modules.filter((module) => module.kind !== 'deployment').length === 0 && (
              <li className="empty">Nothing to choose here.</li>
            )}
            {list.data.modules
              .filter((module) => module.kind !== 'deployment')
              .map((module) => (
                <li key={module.path}>
                  {module.kind === 'project' ? (
                    <button
                      type="button"
                      className="chooser-item kind-project"
                      onClick={() => open(module.path)}
                    >
                      {moduleName(module.path)}/
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="chooser-item kind-image"
                      aria-pressed={chosen === module.path}
                      onClick={() => setChosen(module.path)}
                      onDoubleClick={() => onSelect(module.path)}
                    >
                      {moduleName(module.path)}
                      <span className="hint"> — {module.description || 'machine image'}</span>
                    </button>
                  )}
                </li>
              ))}
          </ul>
        )}
      </div>
      <div className="actions">
        <span className="hint chosen">{chosen ?? 'Choose a machine image'}</span>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!chosen}
          onClick={() => chosen && onSelect(chosen)}
        >
          Select
        </button>
      </div>
    </Dialog>
  );
}
