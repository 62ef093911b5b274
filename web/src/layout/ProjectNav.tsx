// The selected project's screens, from the route list's `nav` entries, in its order.
import { NavLink } from "react-router";
import { useProjects } from "../projects";
import { PROJECT, projectPath, ROUTES } from "../routes";

export function ProjectNav() {
  const { current } = useProjects();
  if (!current) return null;
  return (
    <nav aria-label="Project" className="project-nav">
      <ul>
        {ROUTES.filter((route) => route.nav).map((route) => (
          <li key={route.path}>
            <NavLink to={projectPath(current.id, route.path)} end={route.path === PROJECT}>
              {route.nav}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
