// An HTTP status with its class's colour and its reason phrase.
const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export const reasonOf = (status: number): string => REASONS[status] ?? "";

export function StatusBadge({ status, long = false }: { status: number; long?: boolean }) {
  const kind = status >= 500 ? "error" : status >= 400 ? "warning" : "success";
  return (
    <span className={`badge badge--${kind}`}>
      {status}
      {long && reasonOf(status) ? ` ${reasonOf(status)}` : ""}
    </span>
  );
}
