// This browser's registration secret: made when it registers, sent with the verification so that the
// mailed link opened here logs in (the API keeps only its hash, for the address's latest registration).
// localStorage, not sessionStorage: the mail's link opens in a new tab.
const KEY = "kairos.registration";

export function newBrowserSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  localStorage.setItem(KEY, secret);
  return secret;
}

export const browserSecret = (): string | undefined => localStorage.getItem(KEY) ?? undefined;

export const forgetBrowserSecret = (): void => localStorage.removeItem(KEY);
