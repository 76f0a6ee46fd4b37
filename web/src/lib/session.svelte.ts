// Who is signed in, shared by the header, the pages and the dashboard guard.
import * as api from './api';
import { navigate, here, location } from './router.svelte';

export const session = $state<{ user: api.User | null; ready: boolean }>({ user: null, ready: false });

export const notice = $state<{ text: string; tone: 'info' | 'error' }>({ text: '', tone: 'info' });

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
export function showNotice(text: string, tone: 'info' | 'error' = 'info') {
  notice.text = text;
  notice.tone = tone;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.text = ''), 8000);
}

export async function loadSession() {
  if (!api.hasSession()) {
    session.ready = true;
    return;
  }
  try {
    session.user = await api.me();
  } catch (error) {
    // A refused session already went to the sign-in page; other errors leave the user signed out
    // for this visit without throwing the tokens away.
    if (!(error instanceof api.ApiError && error.status === 401)) showNotice((error as Error).message, 'error');
  } finally {
    session.ready = true;
  }
}

export async function signIn(email: string, password: string) {
  await api.login(email, password);
  session.user = await api.me();
}

export async function signInWithGoogle(idToken: string, email: string, nickname: string, profile: string) {
  await api.googleLogin(idToken, email, nickname, profile);
  session.user = await api.me();
}

export function signOut() {
  api.clearTokens();
  session.user = null;
  navigate('/');
  showNotice('You are signed out.');
}

/**
 * Sends the user to sign in and back to where they were. On a public page (home, gallery) the
 * visitor just continues signed out: nothing there needs the account.
 */
export function requireSignIn(message = 'Please sign in to continue.') {
  session.user = null;
  if (location.path.startsWith('/dashboard')) navigate(`/login?next=${encodeURIComponent(here())}`);
  showNotice(message);
}

api.onSessionExpired(() => requireSignIn('Your session has ended. Please sign in again.'));
