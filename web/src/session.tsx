// Who is logged in: the session's tokens live in sessionStorage (api/client.ts); this context follows
// them and holds the account (name, email) once loaded.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { getAccount, type Account } from "./api/account";
import { currentSession, onSessionChange, type Session } from "./api/client";

interface SessionState {
  session: Session | null;
  account: Account | null;
  setAccount: (account: Account) => void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(currentSession);
  const [account, setAccount] = useState<Account | null>(null);

  useEffect(
    () =>
      onSessionChange((changed) => {
        setSession(changed);
        if (!changed) setAccount(null);
      }),
    [],
  );

  useEffect(() => {
    if (!session || account) return;
    let current = true;
    getAccount().then(
      (loaded) => current && setAccount(loaded),
      () => undefined, // the screen's own requests show the failure
    );
    return () => {
      current = false;
    };
  }, [session, account]);

  return <SessionContext.Provider value={{ session, account, setAccount }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}
