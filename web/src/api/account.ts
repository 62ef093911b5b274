// The person: registration, verification, sessions, passwords (POST /portal/account/*, /portal/session).
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

export const register = (body: Registration) => postAnonymous<Message>("/account/register", body);
/** The mailed link and the password the address was last registered with (both are needed). */
export const verifyEmail = (token: string, password: string) =>
  postAnonymous<Account>("/account/verify", { token, password });
export const resendVerification = (email: string) =>
  postAnonymous<Message>("/account/verification", { email });
export const forgotPassword = (email: string) => postAnonymous<Message>("/account/forgot-password", { email });
export const resetPassword = (token: string, password: string, password_confirmation: string) =>
  postAnonymous<Message>("/account/reset-password", { token, password, password_confirmation });
export const getAccount = () => get<Account>("/account");

/** `unlock`: the secret of a mailed log-in link, needed while too many log-ins were tried on the address. */
export async function logIn(email: string, password: string, unlock?: string): Promise<void> {
  storeSession(await postAnonymous<Session>("/session", { email, password, unlock }));
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
