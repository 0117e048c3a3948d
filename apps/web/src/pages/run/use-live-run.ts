import type { LiveRunMessage, LiveRunSnapshot } from '@slipway/contracts';
import type { RunState } from '@slipway/domain';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer } from 'react';
import { useSession } from '../../api/session';

export const MAX_LOG_LINES = 2000;
const MAX_EVENTS = 500;

export interface LiveLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LiveRun {
  connected: boolean;
  state: RunState | null;
  abort: string | null;
  /** Instance name → its state and statecustom, in the snapshot's order. */
  instances: Map<
    string,
    { node: string; index: number; state: string | null; statecustom: string | null }
  >;
  /** Parameters changed since the page loaded: key → value. */
  parameters: Map<string, string | null>;
  logs: Map<string, LiveLine[]>;
  events: { kind: string; instance: string | null; message: string; at: number }[];
}

type Action =
  | { type: 'connected'; value: boolean }
  | { type: 'snapshot'; snapshot: LiveRunSnapshot }
  | LiveRunMessage;

const initial: LiveRun = {
  connected: false,
  state: null,
  abort: null,
  instances: new Map(),
  parameters: new Map(),
  logs: new Map(),
  events: [],
};

function reduce(live: LiveRun, action: Action): LiveRun {
  switch (action.type) {
    case 'connected':
      return { ...live, connected: action.value };
    case 'snapshot':
      return {
        ...live,
        state: action.snapshot.state,
        abort: action.snapshot.abort,
        instances: new Map(action.snapshot.instances.map(({ name, ...rest }) => [name, rest])),
      };
    case 'state': {
      // The server moves every instance still in the run to the new state (and its
      // `<instance>:state` parameter) without a message per instance: a thousand of them would
      // be a thousand messages. The instances that were in the previous state follow; one
      // that left the run earlier keeps its state.
      const instances = new Map(live.instances);
      const parameters = new Map(live.parameters);
      for (const [name, instance] of live.instances) {
        if (instance.state !== live.state) continue;
        instances.set(name, { ...instance, state: action.state });
        parameters.set(`${name}:state`, action.state);
      }
      return { ...live, state: action.state, instances, parameters };
    }
    case 'abort':
      return { ...live, abort: action.message };
    case 'parameter': {
      const parameters = new Map(live.parameters).set(action.key, action.value);
      const colon = action.key.lastIndexOf(':');
      const instanceName = action.key.slice(0, colon);
      const key = action.key.slice(colon + 1);
      const instance = live.instances.get(instanceName);
      if (instance && (key === 'state' || key === 'statecustom')) {
        const instances = new Map(live.instances).set(instanceName, {
          ...instance,
          [key]: action.value,
        });
        return { ...live, parameters, instances };
      }
      return { ...live, parameters };
    }
    case 'log': {
      const previous = live.logs.get(action.instance) ?? [];
      const added = action.lines.map((text) => ({ stream: action.stream, text }));
      const lines = [...previous, ...added].slice(-MAX_LOG_LINES);
      return { ...live, logs: new Map(live.logs).set(action.instance, lines) };
    }
    case 'event':
      return {
        ...live,
        events: [
          ...live.events,
          { kind: action.kind, instance: action.instance, message: action.message, at: Date.now() },
        ].slice(-MAX_EVENTS),
      };
    default:
      return live;
  }
}

const MESSAGE_TYPES = ['parameter', 'state', 'abort', 'log', 'event'] as const;

/** The run as the server tells it, live (GET /api/runs/:id/stream); a reconnect starts from a fresh snapshot. */
export function useLiveRun(runId: string): LiveRun {
  const { openLive } = useSession();
  const queryClient = useQueryClient();
  const [live, dispatch] = useReducer(reduce, initial);

  useEffect(() => {
    const source = openLive(`/api/runs/${runId}/stream`);
    source.addEventListener('snapshot', (event) => {
      dispatch({ type: 'connected', value: true });
      dispatch({ type: 'snapshot', snapshot: JSON.parse(event.data) as LiveRunSnapshot });
    });
    for (const type of MESSAGE_TYPES) {
      source.addEventListener(type, (event) => {
        const message = JSON.parse(event.data) as LiveRunMessage;
        dispatch(message);
        if (message.type === 'state') {
          // The detail holds the state history and the outcome; reports appear at the end.
          void queryClient.invalidateQueries({ queryKey: ['runs', 'read', runId] });
          void queryClient.invalidateQueries({ queryKey: ['runs', 'reports', runId] });
        }
      });
    }
    source.onerror = () => dispatch({ type: 'connected', value: false });
    return () => source.close();
  }, [openLive, queryClient, runId]);

  return live;
}
