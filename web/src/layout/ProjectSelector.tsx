// The project selector of the top bar: the selected project, the others to switch to, "Create New Project".
import { useEffect, useId, useRef, useState } from "react";
import { Link, useLocation } from "react-router";
import { useProjects } from "../projects";
import { projectPath } from "../paths";

export function ProjectSelector() {
  const { projects, current } = useProjects();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const location = useLocation();

  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", closeOutside);
    return () => document.removeEventListener("mousedown", closeOutside);
  }, [open]);

  return (
    <div
      className="project-selector"
      ref={root}
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          setOpen(false);
          root.current?.querySelector("button")?.focus();
        }
      }}
    >
      <button
        type="button"
        className="project-selector__button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen(!open)}
      >
        <span className="project-selector__label">Project</span>
        <span className="project-selector__name">{current ? current.name : "No project selected"}</span>
        <span aria-hidden="true" className="project-selector__chevron">
          ▾
        </span>
      </button>
      <div id={menuId} className="project-selector__menu" hidden={!open}>
        {projects.data && projects.data.length > 0 && (
          <ul aria-label="Your projects">
            {projects.data.map((project) => (
              <li key={project.id}>
                <Link
                  to={projectPath(project.id)}
                  aria-current={project.id === current?.id ? "true" : undefined}
                  onClick={() => setOpen(false)}
                >
                  {project.name}
                  <span className="muted"> · {project.plan.name}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        <Link to="/projects/new" className="project-selector__create" onClick={() => setOpen(false)}>
          + Create New Project
        </Link>
      </div>
    </div>
  );
}
