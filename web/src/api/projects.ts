// Projects the person is a member of (GET/POST /portal/projects, GET /portal/projects/{project}).
import { get, post } from "./client";

export interface Plan {
  name: string;
  requests_per_minute: number | null;
  requests_per_month: number | null;
}

export interface Project {
  id: string;
  name: string;
  enabled: boolean;
  created_at: string;
  updated_at: string;
  plan: Plan;
  rate_limit_per_minute: number | null;
  role: "owner" | "member";
}

export const listProjects = () => get<{ data: Project[] }>("/projects").then((page) => page.data);
export const createProject = (name: string) => post<Project>("/projects", { name });
export const getProject = (project: string) => get<Project>(`/projects/${project}`);
