// The project's API request log, newest first (/portal/projects/{project}/requests).
import { get } from "./client";

export interface LoggedRequest {
  id: string;
  time: string;
  method: string;
  path: string; // with the query
  status: number;
  duration_ms: number;
  token: { id: string; name: string } | null;
  response_body: string | null; // kept for 4xx answers
}

export interface RequestFilters {
  status?: string; // a code (404) or a class (4xx)
  method?: string;
  path?: string; // a prefix, starting with /
  from?: string; // timestamps with offset
  to?: string;
}

export interface RequestPage {
  data: LoggedRequest[];
  next_cursor: string | null;
}

export const listRequests = (project: string, filters: RequestFilters, cursor?: string, limit = 25) =>
  get<RequestPage>(`/projects/${project}/requests`, { ...filters, cursor, limit });
