import type {
  ListRunsResponse,
  ModuleListResponse,
  ModuleVersionsResponse,
  ModuleView,
  Profile,
  RunDetail,
} from '@slipway/contracts';
import { useQuery } from '@tanstack/react-query';
import { modulePathUrl } from './api-client';
import { useApi } from './session';

export function useModuleList(parent: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['modules', 'list', parent],
    queryFn: () =>
      api.request<ModuleListResponse>(
        parent ? `/api/modules?parent=${encodeURIComponent(parent)}` : '/api/modules',
      ),
  });
}

export function useModule(path: string | null, version?: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['modules', 'read', path, version ?? null],
    enabled: path !== null && path !== '',
    queryFn: () =>
      api.request<ModuleView>(
        `/api/modules/${modulePathUrl(path ?? '')}${version ? `?version=${version}` : ''}`,
      ),
  });
}

export function useModuleVersions(path: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['modules', 'versions', path],
    queryFn: () =>
      api.request<ModuleVersionsResponse>(`/api/modules/${modulePathUrl(path)}:versions`),
  });
}

export interface RunFilters {
  module?: string;
  state?: string;
  page: number;
  pageSize: number;
}

export function useRuns(filters: RunFilters) {
  const api = useApi();
  const query = new URLSearchParams();
  if (filters.module) query.set('module', filters.module);
  if (filters.state) query.set('state', filters.state);
  query.set('page', String(filters.page));
  query.set('pageSize', String(filters.pageSize));
  return useQuery({
    queryKey: ['runs', 'list', filters],
    queryFn: () => api.request<ListRunsResponse>(`/api/runs?${query.toString()}`),
    placeholderData: (previous) => previous,
  });
}

export function useRun(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['runs', 'read', id],
    queryFn: async () => (await api.request<{ run: RunDetail }>(`/api/runs/${id}`)).run,
  });
}

export function useProfile() {
  const api = useApi();
  return useQuery({
    queryKey: ['profile'],
    queryFn: async () => (await api.request<{ profile: Profile }>('/api/me/profile')).profile,
  });
}

export interface CloudItem {
  name: string;
  kind: string;
  enabled: boolean;
  defaultQuota: number | null;
}

export function useClouds() {
  const api = useApi();
  return useQuery({
    queryKey: ['clouds'],
    queryFn: async () => (await api.request<{ clouds: CloudItem[] }>('/api/clouds')).clouds,
  });
}
