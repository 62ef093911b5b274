import { Link, useLocation, useParams } from "react-router";
import { listRequests, type LoggedRequest } from "../api/requests";
import { Loaded } from "../components/Status";
import { formatDateTime, formatDuration } from "../format";
import { useResource, useTitle } from "../hooks";
import { useProjectId } from "../projects";
import { PROJECT, projectPath } from "../routes";
import { reasonOf, StatusBadge } from "./requests/StatusBadge";

const SEARCH_PAGES = 10; // opened by its address, an entry is looked for in the newest 1,000

/** The log has no route for one entry: the list hands it over; opened directly, it is looked up. */
async function findEntry(project: string, id: string): Promise<LoggedRequest | null> {
  let cursor: string | undefined;
  for (let n = 0; n < SEARCH_PAGES; n++) {
    const page = await listRequests(project, {}, cursor, 100);
    const found = page.data.find((row) => row.id === id);
    if (found) return found;
    if (!page.next_cursor) return null;
    cursor = page.next_cursor;
  }
  return null;
}

const pretty = (body: string): string => {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
};

export function RequestDetail() {
  const project = useProjectId();
  const { request: id = "" } = useParams();
  const handed = (useLocation().state as { entry?: LoggedRequest } | null)?.entry;
  const entry = useResource(
    () => (handed?.id === id ? Promise.resolve(handed) : findEntry(project, id)),
    [project, id],
  );
  const back = projectPath(project, `${PROJECT}/requests`);
  useTitle(entry.data ? `${entry.data.method} ${entry.data.path}` : "API request");

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={back}>← API Requests</Link>
      </nav>
      <Loaded resource={entry}>
        {(row) =>
          row === null ? (
            <section className="panel empty-state">
              <h1>Request not found</h1>
              <p>It is older than the newest 1,000 requests, or more than 30 days old.</p>
            </section>
          ) : (
            <RequestView row={row} />
          )
        }
      </Loaded>
    </>
  );
}

function RequestView({ row }: { row: LoggedRequest }) {
  return (
    <>
      <header className="page-header">
        <h1 className="request-title">
          <span className="method">{row.method}</span> <span className="request-title__path">{row.path}</span>
        </h1>
      </header>
      <section className="panel">
        <dl className="details">
          <div>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={row.status} long />
            </dd>
          </div>
          <div>
            <dt>Time</dt>
            <dd>{formatDateTime(row.time)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{formatDuration(row.duration_ms)}</dd>
          </div>
          <div>
            <dt>Token</dt>
            <dd>{row.token ? row.token.name : <span className="muted">none (no valid token)</span>}</dd>
          </div>
          <div>
            <dt>Request ID</dt>
            <dd>
              <code>{row.id}</code>
            </dd>
          </div>
        </dl>
      </section>
      {row.response_body !== null && (
        <section className="panel" aria-labelledby="response-body">
          <h2 id="response-body">
            Response body <span className="muted">({reasonOf(row.status) || row.status})</span>
          </h2>
          <pre className="code-block code-block--body">
            <code>{pretty(row.response_body)}</code>
          </pre>
        </section>
      )}
    </>
  );
}
