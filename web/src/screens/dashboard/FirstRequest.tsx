// "Your first request": the guide's curl with this deployment's API base URL.
import { Link } from "react-router";
import { CopyButton } from "../../components/CopyButton";
import { useConfig } from "../../config";

export function FirstRequest({ tokensPath }: { tokensPath: string }) {
  const { api_url } = useConfig();
  const curl = `curl -H "Authorization: Bearer <token>" ${api_url}/project`;
  return (
    <section className="panel" aria-labelledby="first-request">
      <h2 id="first-request">Your first request</h2>
      <p className="muted">
        Create a token in <Link to={tokensPath}>API Tokens</Link>, put it in place of <code>&lt;token&gt;</code>, and
        ask for your project: the answer is its JSON, and the request shows up in API Requests a moment later.
      </p>
      <div className="code-block">
        <pre>
          <code>{curl}</code>
        </pre>
        <CopyButton text={curl} />
      </div>
    </section>
  );
}
