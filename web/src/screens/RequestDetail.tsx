import { Link, useLocation, useParams } from "react-router";
import { listRequests, type LoggedRequest } from "../api/requests";
import { useConfig } from "../config";
import { CopyButton } from "../components/CopyButton";
import { Loaded } from "../components/Status";
import { Table } from "../components/Table";
import { formatDateTime, formatDuration } from "../format";
import { useResource, useTitle } from "../hooks";
import { useProjectId } from "../projects";
import { PROJECT, projectPath } from "../paths";
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

const BODY_KEPT = 4000; // characters the log keeps of a body (kairos.usage.events.BODY_KEPT_CHARS)

const pretty = (body: string): string => {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
};

/** The request as a curl command against this deployment's API, the token left for the reader to fill. */
function curlOf(apiUrl: string, row: LoggedRequest): string {
  const url = apiUrl.replace(/\/v1$/, "") + row.path;
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const lines = [`curl -X ${row.method} ${quote(url)}`, `  -H "Authorization: Bearer $KAIROS_TOKEN"`];
  if (row.request_body) lines.push(`  -H "Content-Type: application/json"`, `  --data ${quote(row.request_body)}`);
  return lines.join(" \\\n");
}

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
  const { api_url } = useConfig();
  const [path, query = ""] = row.path.split(/\?(.*)/s, 2);
  const parameters = [...new URLSearchParams(query)];
  const curl = curlOf(api_url, row);
  return (
    <>
      <header className="page-header">
        <h1 className="request-title">
          <span className="method">{row.method}</span> <span className="request-title__path">{path}</span>
        </h1>
      </header>
      <section className="panel" aria-label="Summary">
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
          <div className="details__wide">
            <dt>Request ID</dt>
            <dd className="copyable">
              <code>{row.id}</code>
              <CopyButton text={row.id} label="Copy request ID" />
            </dd>
          </div>
        </dl>
      </section>
      {parameters.length > 0 && (
        <section className="panel" aria-labelledby="query">
          <h2 id="query">Query parameters</h2>
          <Table columns={["Name", "Value"]}>
            {parameters.map(([name, value], n) => (
              <tr key={n}>
                <th scope="row">
                  <code>{name}</code>
                </th>
                <td>
                  <code>{value}</code>
                </td>
              </tr>
            ))}
          </Table>
        </section>
      )}
      <Body id="request-body" title="Request body" body={row.request_body} />
      <Body
        id="response-body"
        title="Response body"
        detail={reasonOf(row.status) || String(row.status)}
        body={row.response_body}
      />
      <section className="panel" aria-labelledby="replay">
        <h2 id="replay">Replay it</h2>
        <p className="muted">
          With one of your tokens in <code>KAIROS_TOKEN</code>. Secrets in the bodies were never stored: put them back
          where it says <code>[redacted]</code>.
        </p>
        <div className="code-block">
          <pre>
            <code>{curl}</code>
          </pre>
          <CopyButton text={curl} label="Copy curl" />
        </div>
      </section>
    </>
  );
}

/** A body the log kept (secrets redacted, cut at 4,000 characters), or why there is none. */
function Body({ id, title, detail, body }: { id: string; title: string; detail?: string; body: string | null }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>
        {title} {detail && <span className="muted">({detail})</span>}
      </h2>
      {body === null ? (
        <p className="muted">None was sent, or the log did not keep it.</p>
      ) : (
        <>
          <pre className="code-block code-block--body" tabIndex={0} aria-label={title}>
            <code>{pretty(body)}</code>
          </pre>
          {body.length >= BODY_KEPT && <p className="muted">Cut at {BODY_KEPT.toLocaleString()} characters.</p>}
        </>
      )}
    </section>
  );
}
