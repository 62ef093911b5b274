// The signed-in person's projects (by name) and the one selected: the URL's :project when there is one,
// else the last one chosen (kept for the browser tab), else the first.
import { createContext, useContext, useEffect, type ReactNode } from "react";
import { useMatches, useParams } from "react-router";
import { listProjects, type Project } from "./api/projects";
import { Loaded, NotFoundState } from "./components/Status";
import { useResource, type Resource } from "./hooks";

const SELECTED_KEY = "kairos.project";

const byName = (projects: Project[]): Project[] =>
  [...projects].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));

interface ProjectsState {
  projects: Resource<Project[]>;
  current: Project | null;
  wanted: string | null; // the URL's :project, when the screen is one project's
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

  return <ProjectsContext.Provider value={{ projects, current, wanted: fromUrl ?? null }}>{children}</ProjectsContext.Provider>;
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

/** A project's screens show only once the person's projects say it is theirs: a project that does not
 * exist, or is not theirs, is said within the one request of the list, on every screen, with nothing to
 * do in it (no form, no navigation). */
export function ProjectGate({ children }: { children: ReactNode }) {
  const { projects, current, wanted } = useProjects();
  if (wanted === null || current) return <>{children}</>;
  return (
    <Loaded resource={projects}>
      {() => (
        <NotFoundState title="Project not found">
          There is no project at this address that you are a member of. It may have been deleted, or you were
          removed from it. Choose one of your projects above.
        </NotFoundState>
      )}
    </Loaded>
  );
}
