import { Link, Navigate } from "react-router";
import { Loaded } from "../components/Status";
import { useProjects } from "../projects";
import { projectPath } from "../paths";
import { Welcome } from "./dashboard/Welcome";

/** `/`: the selected project's dashboard, or, before the first project, the way to create it. */
export function Home() {
  const { projects, current } = useProjects();
  return (
    <Loaded resource={projects}>
      {() =>
        current ? (
          <Navigate to={projectPath(current.id)} replace />
        ) : (
          <>
            <Welcome />
            <section className="panel empty-state">
              <h2>Create your first project</h2>
              <p>
                A project holds your resources, services and bookings, its API tokens and webhooks. It starts on the
                free plan, made for development.
              </p>
              <Link className="button button--primary" to="/projects/new">
                Create your first project
              </Link>
            </section>
          </>
        )
      }
    </Loaded>
  );
}
