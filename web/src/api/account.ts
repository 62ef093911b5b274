// The person: registration, verification, sessions, passwords (POST /portal/account/*, /portal/session).
import { browserSecret, forgetBrowserSecret, newBrowserSecret } from "../browser";
import { del, get, postAnonymous, storeSession, type Session } from "./client";

export interface Account {
  id: string;
  name: string;
  email: string;
  created_at: string;
}

export interface Message {
  message: string;
}

export interface Registration {
  name: string;
  email: string;
  password: string;
  password_confirmation: string;
}

/** The registering browser keeps a new secret (localStorage, shared by its tabs): the mailed link opened
 * in this browser then logs in too; opened anywhere else, it only verifies. */
export const register = (body: Registration) =>
  postAnonymous<Message>("/account/register", { ...body, browser: newBrowserSecret() });

export interface Verified extends Account {
  session?: Session; // only in the browser of the address's latest registration
}

/** The mailed link and the password the address was last registered with (both are needed); logged in
 * when this browser registered. */
export async function verifyEmail(token: string, password: string): Promise<Verified> {
  const verified = await postAnonymous<Verified>("/account/verify", { token, password, browser: browserSecret() });
  if (verified.session) {
    storeSession(verified.session);
    forgetBrowserSecret();
  }
  return verified;
}
export const resendVerification = (email: string) =>
  postAnonymous<Message>("/account/verification", { email });
export const forgotPassword = (email: string) => postAnonymous<Message>("/account/forgot-password", { email });
export const resetPassword = (token: string, password: string, password_confirmation: string) =>
  postAnonymous<Message>("/account/reset-password", { token, password, password_confirmation });
export const getAccount = () => get<Account>("/account");

interface CodeRequired {
  code_required: true;
  message: string;
}

/** `unlock`: the secret of a mailed log-in link, needed while too many log-ins were tried on the address;
 * `code`: the authenticator's, once the API answered that the account asks for one ("code" comes back). */
export async function logIn(email: string, password: string, unlock?: string, code?: string): Promise<"in" | "code"> {
  const answer = await postAnonymous<Session | CodeRequired>("/session", { email, password, unlock, code });
  if ("code_required" in answer) return "code";
  storeSession(answer);
  return "in";
}

/** Ends every session of the person at once (the API refuses their tokens from now on); the session here
 * ends whatever the API answered. */
export async function logOut(): Promise<void> {
  try {
    await del("/session");
  } finally {
    storeSession(null);
  }
}

/** The pool's password policy, said before the API has to refuse one. */
export const PASSWORD_RULES = "At least 8 characters, with upper and lower case letters, a number and a symbol.";
