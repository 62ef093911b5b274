// Account security: two-factor authentication (an authenticator app), changing the address and deleting the account
// (/portal/account/two-factor*, /portal/account/email*, /portal/account/deletion, /portal/account/delete).
import { get, post, storeSession, type Session } from "./client";

export interface TwoFactorSetup {
  secret: string; // base32, for typing into the app by hand
  otpauth_uri: string; // what the QR code holds
}

export const getTwoFactor = () => get<{ enabled: boolean }>("/account/two-factor");
export const startTwoFactor = (password: string) => post<TwoFactorSetup>("/account/two-factor/setup", { password });
/** Each resolves to true once done (a form's action resolves to undefined when it failed). */
export const enableTwoFactor = (password: string, code: string) =>
  post<void>("/account/two-factor", { password, code }).then(() => true);
export const disableTwoFactor = (password: string, code: string) =>
  post<void>("/account/two-factor/disable", { password, code }).then(() => true);

export interface NamedProject {
  id: string;
  name: string;
}

export interface DeletionPreview {
  can_delete: boolean;
  blocking: NamedProject[]; // owned, with other members: the account cannot go while they are there
  deleted: NamedProject[]; // owned alone: deleted with the account
  left: NamedProject[]; // joined: the account leaves them
  confirmation: string; // the words to type
}

export const getDeletion = () => get<DeletionPreview>("/account/deletion");

/** Deletes the account; the session here ends with it. */
export async function deleteAccount(password: string, confirmation: string, code?: string): Promise<void> {
  await post<void>("/account/delete", { password, confirmation, code: code || undefined });
  storeSession(null);
}

/** Mails a link to `email` (the same answer whether or not it can be used). */
export const changeEmail = (email: string, password: string, code?: string) =>
  post<{ message: string }>("/account/email", { email, password, code: code || undefined });

export interface EmailChanged {
  email: string;
  two_factor: boolean; // false: an authenticator is set up again after a change
}

/** The mailed link, opened logged in: the address changes, every other session ends, this browser gets
 * the new address's session. */
export async function confirmEmail(token: string, password: string, code?: string): Promise<EmailChanged> {
  const changed = await post<EmailChanged & { session?: Session }>("/account/email/confirm", {
    token,
    password,
    code: code || undefined,
  });
  if (changed.session) storeSession(changed.session);
  return { email: changed.email, two_factor: changed.two_factor };
}
