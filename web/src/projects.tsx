// The signed-in person's projects (by name) and the one selected: the URL's :project when there is one,
// else the last one chosen (kept for the browser tab), else the first.
import { createContext, useContext, useEffect, type ReactNode } from "react";
import { useMatches, useParams } from "react-router";
import { listProjects, type Project } from "./api/projects";
import { useResource, type Resource } from "./hooks";

const SELECTED_KEY = "kairos.project";

const byName = (projects: Project[]): Project[] =>
  [...projects].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));

interface ProjectsState {
  projects: Resource<Project[]>;
  current: Project | null;
}

const ProjectsContext = createContext<ProjectsState | null>(null);

export function ProjectsProvider({ children }: { children: ReactNode }) {
  const projects = useResource(() => listProjects().then(byName), []);
  const fromUrl = useMatches().at(-1)?.params.project; // the layout's own params lack its screens'
  const wanted = fromUrl ?? sessionStorage.getItem(SELECTED_KEY);
  const list = projects.data ?? [];
  const current = list.find((p) => p.id === wanted) ?? (fromUrl ? null : (list[0] ?? null));

  useEffect(() => {
    if (current) sessionStorage.setItem(SELECTED_KEY, current.id);
  }, [current]);

  return <ProjectsContext.Provider value={{ projects, current }}>{children}</ProjectsContext.Provider>;
}

export function useProjects(): ProjectsState {
  const state = useContext(ProjectsContext);
  if (!state) throw new Error("useProjects outside ProjectsProvider");
  return state;
}

/** The project of a /projects/:project screen (its id from the URL). */
export function useProjectId(): string {
  const { project } = useParams();
  if (!project) throw new Error("useProjectId outside a project route");
  return project;
}
