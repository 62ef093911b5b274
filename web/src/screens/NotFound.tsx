import { Link } from "react-router";
import { useTitle } from "../hooks";

export function NotFound() {
  useTitle("Not found");
  return (
    <section className="empty-state">
      <h1>Nothing here</h1>
      <p>This page does not exist, or the project is not one of yours.</p>
      <Link className="button button--primary" to="/">
        Go to your dashboard
      </Link>
    </section>
  );
}
