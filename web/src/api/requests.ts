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
  request_body: string | null; // secrets redacted, cut to 4,000 characters (older entries: none)
  response_body: string | null; // the same; before the request body was kept, only a 4xx answer's
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
