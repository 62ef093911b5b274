// An invitation link opened before the person had a session: kept for this browser tab (sessionStorage,
// like the session's tokens), so the log-in that follows registering and verifying comes back to it.
const KEY = "kairos.invitation";

export const rememberInvitation = (path: string): void => sessionStorage.setItem(KEY, path);
export const pendingInvitation = (): string | null => sessionStorage.getItem(KEY);
export const forgetInvitation = (): void => sessionStorage.removeItem(KEY);
