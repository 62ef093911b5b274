import { useSession } from "../../session";

export function Welcome() {
  const { account } = useSession();
  return (
    <header className="page-header">
      <h1>Welcome, {account?.name ?? "developer"}</h1>
      <p className="muted">Check what's happening with your Kairos projects.</p>
    </header>
  );
}
