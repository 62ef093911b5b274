// The selected project's screens, from paths.ts' project navigation, in its order.
import { NavLink } from "react-router";
import { useProjects } from "../projects";
import { PROJECT, PROJECT_NAV, projectPath } from "../paths";

export function ProjectNav() {
  const { current } = useProjects();
  if (!current) return null;
  return (
    <nav aria-label="Project" className="project-nav">
      <ul>
        {PROJECT_NAV.map((route) => (
          <li key={route.path}>
            <NavLink to={projectPath(current.id, route.path)} end={route.path === PROJECT}>
              {route.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
