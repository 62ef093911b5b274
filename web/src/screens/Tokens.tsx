import { listAbilities, listTokens } from "../api/tokens";
import { Loaded } from "../components/Status";
import { useResource } from "../hooks";
import { useProjectId } from "../projects";
import { NewToken } from "./tokens/NewToken";
import { TokenTable } from "./tokens/TokenTable";

export function Tokens() {
  const project = useProjectId();
  const abilities = useResource(listAbilities, []);
  const tokens = useResource(() => listTokens(project), [project]);
  return (
    <>
      <header className="page-header">
        <h1>API Tokens</h1>
        <p className="muted">
          Tokens authenticate your requests to the Kairos API (<code>Authorization: Bearer &lt;token&gt;</code>).
        </p>
      </header>
      <Loaded resource={abilities}>
        {(all) => <NewToken key={project} project={project} abilities={all} onCreated={tokens.reload} />}
      </Loaded>
      <section className="panel" aria-labelledby="token-list">
        <h2 id="token-list">Your tokens</h2>
        <Loaded resource={tokens}>
          {(list) => (
            <>
              <p className="muted">
                Changes and deletions take effect within a minute (the API keeps a token for up to{" "}
                {list.cache_seconds} seconds).
              </p>
              <TokenTable project={project} tokens={list.data} abilities={abilities.data ?? []} onChanged={tokens.reload} />
            </>
          )}
        </Loaded>
      </section>
    </>
  );
}
