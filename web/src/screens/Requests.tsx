import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { listRequests, type LoggedRequest, type RequestPage } from "../api/requests";
import { ErrorState, Loading } from "../components/Status";
import { formatDateTime, formatDuration, localTimestamp } from "../format";
import { useAction, useFollow, useResource } from "../hooks";
import { useProjectId } from "../projects";
import { PROJECT, projectPath } from "../paths";
import { EMPTY_FILTERS, RequestFilters, type FilterValues } from "./requests/RequestFilters";
import { StatusBadge } from "./requests/StatusBadge";
import { Table } from "../components/Table";

const REFRESH_MS = 5000; // the first page follows new requests while it shows alone

export function Requests() {
  const project = useProjectId();
  const [params, setParams] = useSearchParams();
  const values: FilterValues = { ...EMPTY_FILTERS, ...Object.fromEntries(params) };
  const query = {
    status: values.status,
    method: values.method,
    path: values.path,
    from: values.from && localTimestamp(values.from),
    to: values.to && localTimestamp(values.to),
  };
  const key = JSON.stringify(query);
  const first = useResource(() => listRequests(project, query), [project, key]);
  const [more, setMore] = useState<RequestPage[]>([]);
  const loadMore = useAction(listRequests);

  useEffect(() => setMore([]), [project, key]);
  useFollow(first.reload, REFRESH_MS, more.length === 0 && !first.error);

  const pages = first.data ? [first.data, ...more] : [];
  const rows: LoggedRequest[] = pages.flatMap((page) => page.data);
  const cursor = pages.at(-1)?.next_cursor ?? null;
  const apply = (next: FilterValues) =>
    setParams(Object.fromEntries(Object.entries(next).filter(([, value]) => value)) as Record<string, string>);

  return (
    <>
      <header className="page-header">
        <h1>API Requests</h1>
        <p className="muted">Every request to the API with this project's tokens, newest first, kept for 30 days.</p>
      </header>
      <section className="panel">
        <RequestFilters key={key} values={values} errors={first.error?.status === 422 ? first.error.errors : {}} onApply={apply} />
        {first.error && first.error.status !== 422 && <ErrorState error={first.error} onRetry={first.reload} />}
        {first.error?.status === 422 && (
          <p className="alert alert--error" role="alert">
            {first.error.message}
          </p>
        )}
        {!first.data && !first.error && <Loading label="Loading requests…" />}
        {first.data && rows.length === 0 && (
          <div className="empty-state">
            <h2>No requests {params.size ? "match these filters" : "yet"}</h2>
            <p>Requests appear here a few seconds after the API answers them.</p>
          </div>
        )}
        {rows.length > 0 && <RequestTable project={project} rows={rows} />}
        {loadMore.error && <ErrorState error={loadMore.error} onRetry={loadMore.clear} />}
        {cursor && (
          <div className="load-more">
            <button
              type="button"
              className="button"
              disabled={loadMore.busy}
              onClick={async () => {
                const page = await loadMore.run(project, query, cursor);
                if (page) setMore([...more, page]);
              }}
            >
              {loadMore.busy ? "Loading…" : "Load more"}
            </button>
          </div>
        )}
      </section>
    </>
  );
}

function RequestTable({ project, rows }: { project: string; rows: LoggedRequest[] }) {
  return (
    <Table columns={["Time", "Request", "Status", "Duration", "Token"]} className="requests">
      {rows.map((row) => (
        <tr key={row.id}>
          <td className="nowrap">{formatDateTime(row.time)}</td>
          <td>
            <Link
              to={`${projectPath(project, `${PROJECT}/requests`)}/${row.id}`}
              state={{ entry: row }}
              className="request-line truncate"
              title={`${row.method} ${row.path}`}
            >
              <span className="method">{row.method}</span> {row.path}
            </Link>
          </td>
          <td>
            <StatusBadge status={row.status} />
          </td>
          <td className="nowrap">{formatDuration(row.duration_ms)}</td>
          <td>{row.token?.name ?? <span className="muted">none</span>}</td>
        </tr>
      ))}
    </Table>
  );
}
