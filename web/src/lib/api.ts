// The one place that knows the gateway's URLs, the tokens and the error shapes (docs/api.md).
// Everything else calls the typed functions below and gets an ApiError with words for people.

export type Role = 'user' | 'admin';

export interface User {
  id: string;
  email: string;
  nickname: string;
  profile?: string;
  role: Role;
}

export interface AlbumImage {
  id: string;
  filename: string;
  path: string;
  dateTime?: string;
  dateTimeOriginal: string;
  dateTimeDigitized?: string;
  gallerySpotType: string;
  createdAt: string;
  updatedAt: string;
  thumbnailPath: string;
  previewPath: string;
  width: number;
  height: number;
  dateTimeOriginalOffset?: string;
}

export type SortOrder = 'asc' | 'desc';
export interface Sort {
  orderBy: string;
  order: SortOrder;
}

export type FileStatus = 'queued' | 'processing' | 'done' | 'duplicate' | 'failed';
export interface BatchFile {
  index: number;
  filename: string;
  status: FileStatus;
  imageId?: string;
  reason?: string;
}
export interface Batch {
  batchId: string;
  finished: boolean;
  counts: Record<FileStatus, number>;
  files: BatchFile[];
}

export const SPOTS = ['spot1', 'spot2', 'spot3', 'spot4', 'spot5', 'spot6', 'spot7', 'spot8', 'spot9', 'spot10'];

// Upload limits, checked before sending: the gateway's own (GATEWAY_UPLOAD_MAX_*), which it writes
// into index.html as "<files> <bytes per file> <bytes per request>"; its defaults otherwise.
function uploadLimits() {
  const limits = { maxFiles: 100, maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024 };
  const text = document.querySelector<HTMLMetaElement>('meta[name="hatongsu-upload-limits"]')?.content ?? '';
  const numbers = text.trim().split(/\s+/).map(Number);
  if (numbers.length === 3 && numbers.every((n) => Number.isSafeInteger(n) && n > 0)) {
    [limits.maxFiles, limits.maxFileBytes, limits.maxTotalBytes] = numbers;
  }
  return limits;
}
export const UPLOAD_LIMITS = uploadLimits();

/** A failed call: `status` is the HTTP status (0 when the server could not be reached). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const WORDS: Record<string, string> = {
  INCORRECT_PASSWORD: 'Wrong e-mail or password.',
  USER_NOT_FOUND: 'No account uses this e-mail address.',
  INVALID_CREDENTIALS: 'Enter your e-mail address and password.',
  INVALID_EMAIL: 'This does not look like an e-mail address.',
  INVALID_PASSWORD: 'The password must be 4 to 1024 characters long.',
  INVALID_NICKNAME: 'The nickname must have visible characters and at most 100 of them.',
  EMAIL_ALREADY_EXISTS: 'An account with this e-mail address already exists.',
  USER_ALREADY_EXISTS: 'An account with this e-mail address already exists.',
  EMAIL_REGISTERED_WITH_PASSWORD: 'This address signs in with a password, not with Google.',
  TOO_MANY_LOGIN_ATTEMPTS: 'Too many failed sign-in attempts. Please wait a few minutes and try again.',
  TOO_MANY_REGISTRATION_ATTEMPTS: 'Too many sign-ups from this address. Please wait a while and try again.',
  MISSING_TOKEN: 'Please sign in to continue.',
  INVALID_TOKEN: 'Your session has ended. Please sign in again.',
  REFRESH_TOKEN_REUSED: 'Your session has ended. Please sign in again.',
  INVALID_GOOGLE_TOKEN: 'Google sign-in did not work. Please try again.',
  GOOGLE_EMAIL_NOT_VERIFIED: 'Google has not verified this e-mail address yet.',
  GOOGLE_LOGIN_DISABLED: 'Google sign-in is not enabled here.',
  'No permission': 'Only administrators can do this.',
  SERVER_BUSY: 'The server is busy. Please try again in a moment.',
  USER_SERVICE_UNAVAILABLE: 'The account service is unavailable right now. Please try again later.',
  USER_SERVICE_TIMEOUT: 'The account service took too long to answer. Please try again.',
  ALBUM_SERVICE_UNAVAILABLE: 'The album is unavailable right now. Please try again later.',
  ALBUM_SERVICE_TIMEOUT: 'The album took too long to answer. Please try again.',
  QUEUE_UNAVAILABLE: 'The upload could not be queued; nothing was kept. Please try again.',
  IMAGE_NOT_FOUND: 'This photo no longer exists.',
  BATCH_NOT_FOUND: 'This upload is unknown to the server.',
  INVALID_DATE_RANGE: 'Pick an end date after the start date, at most 366 days later.',
  INVALID_CURSOR: 'The list position is no longer valid. Please reload.',
  TOO_MANY_FILES: `At most ${UPLOAD_LIMITS.maxFiles} files can be sent at once.`,
  FILE_TOO_LARGE: 'A file is larger than the server accepts.',
  UPLOAD_TOO_LARGE: 'The upload is larger than the server accepts.',
  'request entity too large': 'The upload is larger than the server accepts.',
  'Internal server error': 'Something went wrong on the server.',
};

/** Words for a processing failure reason of GET /file/uploads/{id}. */
export const FAILURE_WORDS: Record<string, string> = {
  NOT_AN_IMAGE: 'Not a JPEG, PNG, WebP or HEIC image',
  CORRUPT_IMAGE: 'The image is damaged and cannot be read',
  TOO_MANY_PIXELS: 'The image has too many pixels',
  TOO_LARGE: 'The file is too large',
  RETRIES_EXHAUSTED: 'The server could not store it; try again later',
};

interface ErrorBody {
  statusCode?: number;
  message?: string;
  errors?: unknown;
  requestId?: string;
}

// The first message of a 422 `errors` tree ({"nickname": "...", "sort": {"0": {...}}}).
function firstFieldError(errors: unknown): string | undefined {
  if (typeof errors === 'string') return errors;
  if (errors && typeof errors === 'object') {
    for (const value of Object.values(errors)) {
      const found = firstFieldError(value);
      if (found) return found;
    }
  }
  return undefined;
}

function toError(status: number, body: ErrorBody | null): ApiError {
  const code = body?.message ?? '';
  let words = WORDS[code];
  if (!words && status === 422) {
    const field = firstFieldError(body?.errors);
    words = field ? field.charAt(0).toUpperCase() + field.slice(1) + '.' : 'Some fields are not valid.';
  }
  if (!words && status === 429) words = 'Too many requests. Please wait a moment and try again.';
  // Messages that are not identifiers are already plain English (docs/api.md, Errors).
  if (!words) words = code && !/^[A-Z_]+$/.test(code) ? code : `The request failed (HTTP ${status}).`;
  if (status >= 500 && body?.requestId) words += ` (request id ${body.requestId})`;
  return new ApiError(status, code, words, body?.requestId);
}

const offline = () => new ApiError(0, 'NETWORK', 'Cannot reach the server. Check your connection and try again.');

// ---------------------------------------------------------------------------------------------
// Tokens

const ACCESS = 'hatongsu.accessToken';
const REFRESH = 'hatongsu.refreshToken';
// When the access token stops being good, on this browser's clock (see storeTokens).
const ACCESS_UNTIL = 'hatongsu.accessUntil';
// Refresh this long before the access token expires, so a request never leaves with a dying one:
// a minute, or a quarter of the token's lifetime when that is shorter.
const REFRESH_MARGIN_MS = 60_000;
// A refresh another tab is making, where the browser has no Web Locks (plain HTTP off localhost).
const REFRESH_LEASE = 'hatongsu.refreshLease';
const LEASE_MS = 10_000;
const TAB = Math.random().toString(36).slice(2);

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

function storeTokens(pair: TokenPair) {
  localStorage.setItem(REFRESH, pair.refreshToken);
  localStorage.setItem(ACCESS, pair.accessToken);
  // The token's lifetime comes from the server's clock (exp - iat); counted from now on ours, a
  // browser whose clock is off neither refreshes at every request nor sends expired tokens.
  const { iat, exp } = claims(pair.accessToken);
  const lifetime = exp > iat ? (exp - iat) * 1000 : 0;
  localStorage.setItem(ACCESS_UNTIL, `${Date.now() + lifetime} ${exp}`);
}

export function clearTokens() {
  localStorage.removeItem(ACCESS);
  localStorage.removeItem(REFRESH);
  localStorage.removeItem(ACCESS_UNTIL);
}

export function hasSession(): boolean {
  return localStorage.getItem(REFRESH) !== null || localStorage.getItem(ACCESS) !== null;
}

/** The `iat` and `exp` claims in seconds (0 when the token cannot be read). */
function claims(token: string): { iat: number; exp: number } {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    const seconds = (value: unknown) => (typeof value === 'number' ? value : 0);
    return { iat: seconds(payload.iat), exp: seconds(payload.exp) };
  } catch {
    return { iat: 0, exp: 0 };
  }
}

/** True when the stored access token is good for more than the refresh margin. */
function accessIsFresh(): boolean {
  const token = localStorage.getItem(ACCESS);
  if (!token) return false;
  const { iat, exp } = claims(token);
  const [until, forExp] = (localStorage.getItem(ACCESS_UNTIL) ?? '').split(' ').map(Number);
  // A token stored some other way (an older version of this client) is judged by its exp alone.
  const deadline = forExp === exp && until > 0 ? until : exp * 1000;
  const margin = Math.min(REFRESH_MARGIN_MS, (Math.max(0, exp - iat) * 1000) / 4);
  return deadline - Date.now() > margin;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` while holding a lease in localStorage, for browsers without Web Locks: a tab that
 * finds another tab's live lease waits until it is released or has lapsed. Not atomic like a real
 * lock (two tabs may write at the same instant), so the second write is read back before going on.
 */
async function withLease(work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + LEASE_MS;
  for (;;) {
    const [owner, until] = (localStorage.getItem(REFRESH_LEASE) ?? '').split(' ');
    if (!owner || owner === TAB || Number(until) < Date.now() || Date.now() > deadline) break;
    await sleep(50);
  }
  localStorage.setItem(REFRESH_LEASE, `${TAB} ${Date.now() + LEASE_MS}`);
  await sleep(20);
  if (!localStorage.getItem(REFRESH_LEASE)?.startsWith(`${TAB} `)) return withLease(work);
  try {
    await work();
  } finally {
    if (localStorage.getItem(REFRESH_LEASE)?.startsWith(`${TAB} `)) localStorage.removeItem(REFRESH_LEASE);
  }
}

let sessionExpired: (() => void) | null = null;
/** Called when the server no longer accepts the session: the app sends the user to sign in. */
export function onSessionExpired(handler: () => void) {
  sessionExpired = handler;
}

function endSession(): never {
  clearTokens();
  sessionExpired?.();
  throw new ApiError(401, 'INVALID_TOKEN', WORDS.INVALID_TOKEN);
}

async function postRefresh(refreshToken: string): Promise<TokenPair> {
  const send = () =>
    fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
  let res: Response;
  try {
    res = await send();
  } catch {
    // The token may or may not have been spent (docs/api.md, rotation): one more try tells.
    try {
      res = await send();
    } catch {
      throw offline();
    }
  }
  const body = await res.json().catch(() => null);
  if (res.status === 401) endSession();
  if (!res.ok) throw toError(res.status, body);
  return body as TokenPair;
}

// Serializes refreshes: a refresh token works once, so two in flight would end the session.
let refreshing: Promise<void> | null = null;

/** `used`: the refresh token in store when the caller found the access token wanting. */
async function refreshNow(used: string | null): Promise<void> {
  const run = async () => {
    const current = localStorage.getItem(REFRESH);
    if (!current) endSession();
    // Another tab (or an earlier call here) already traded the token we saw: use its result.
    if (used !== null && current !== used && accessIsFresh()) return;
    storeTokens(await postRefresh(current));
  };
  if (refreshing) return refreshing;
  // Across tabs too: with Web Locks where the browser offers them (secure contexts), else with a
  // lease in localStorage; the second tab then finds a new token and does not spend the old one.
  const locked = navigator.locks ? navigator.locks.request('hatongsu-refresh', run) : withLease(run);
  const pending = (async () => {
    try {
      await locked;
    } finally {
      refreshing = null;
    }
  })();
  refreshing = pending;
  return pending;
}

/** An access token good for at least REFRESH_MARGIN_MS, refreshing first when needed. */
async function accessToken(): Promise<string> {
  if (refreshing) await refreshing;
  const token = localStorage.getItem(ACCESS);
  if (token && accessIsFresh()) return token;
  if (!localStorage.getItem(REFRESH)) endSession();
  await refreshNow(localStorage.getItem(REFRESH));
  return localStorage.getItem(ACCESS) ?? endSession();
}

// ---------------------------------------------------------------------------------------------
// Requests

interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  auth?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function url(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let sentWith: string | null = null; // the refresh token in store when the request left
  const send = async () => {
    sentWith = localStorage.getItem(REFRESH);
    // No Accept header: every answer is JSON, and a plain GET can reuse index.html's preloads.
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth) headers.Authorization = `Bearer ${await accessToken()}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetch(url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw offline();
    }
  };
  let res = await send();
  if (res.status === 401 && options.auth) {
    // The token was refused although its clock said it was fine (e.g. the server restarted with
    // other state): one refresh (unless another tab made one meanwhile), one retry, then sign in
    // again.
    await refreshNow(sentWith);
    res = await send();
    if (res.status === 401) endSession();
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw toError(res.status, body);
  return body as T;
}

const basic = (email: string, password: string) => `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${email}:${password}`)))}`;

// ---------------------------------------------------------------------------------------------
// Accounts

export async function login(email: string, password: string): Promise<void> {
  storeTokens(await request<TokenPair>('/auth/login', { method: 'POST', headers: { Authorization: basic(email, password) } }));
}

export async function googleLogin(idToken: string, email: string, nickname: string, profile: string): Promise<void> {
  storeTokens(await request<TokenPair>('/auth/google/login', { method: 'POST', body: { idToken, email, nickname, profile } }));
}

export async function register(email: string, password: string, nickname: string): Promise<void> {
  await request('/auth/register', { method: 'POST', headers: { Authorization: basic(email, password) }, body: { nickname } });
}

export async function me(): Promise<User> {
  return (await request<{ user: User }>('/user/me', { auth: true })).user;
}

export interface UserQuery {
  page: number;
  limit: number;
  sort?: Sort[];
  filter?: { field: 'email' | 'nickname' | 'role' | 'provider'; value: string };
}

export async function users(query: UserQuery): Promise<{ users: User[]; totalCount: number }> {
  return request('/user/all', {
    auth: true,
    query: {
      page: query.page,
      limit: query.limit,
      sort: query.sort?.length ? JSON.stringify(query.sort) : undefined,
      filter: query.filter?.value ? JSON.stringify(query.filter) : undefined,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Album

export async function albumPage(page: number, limit: number, sort: Sort[], signal?: AbortSignal) {
  return request<{ albumImages: AlbumImage[]; totalCount: number }>('/album', {
    auth: true,
    signal,
    query: { page, limit, sort: sort.length ? JSON.stringify(sort) : undefined },
  });
}

export async function ferrisFirst(limit: number) {
  return request<{ albumImages: AlbumImage[]; totalCount: number }>('/album/ferris-first', { query: { page: 1, limit } });
}

export async function ferrisNext(id: string, skip: number) {
  return (await request<{ albumImage: AlbumImage }>('/album/ferris-next', { query: { id, skip } })).albumImage;
}

export async function infinite(limit: number, nextCursor?: string) {
  return request<{ albumImages: AlbumImage[]; nextCursor: string }>('/album/infinite', { query: { limit, nextCursor } });
}

export async function countByDate(startDate: string, endDate: string) {
  return (await request<{ result: { date: string; count: number }[] }>('/album/statistic/count-date', { query: { startDate, endDate } })).result;
}

/** Spot name -> the image hanging there. */
export async function gallerySpots(): Promise<Record<string, AlbumImage>> {
  const body = await request<{ spotImages: Record<string, { images: AlbumImage[] }> }>('/album/gallery/spot');
  const spots: Record<string, AlbumImage> = {};
  for (const [spot, { images }] of Object.entries(body.spotImages)) if (images[0]) spots[spot] = images[0];
  return spots;
}

export async function setSpot(imageId: string, spotType: string): Promise<void> {
  await request('/album/gallery/spot', { method: 'PUT', auth: true, body: { imageId, spotType } });
}

export async function deleteImages(imageIds: string[]): Promise<number> {
  return (await request<{ deletedCount: number }>('/album', { method: 'DELETE', auth: true, body: { imageIds } })).deletedCount;
}

export async function uploadStatus(batchId: string): Promise<Batch> {
  return request(`/file/uploads/${encodeURIComponent(batchId)}`, { auth: true });
}

/**
 * Sends the files as one multipart request. `progress` gets the bytes sent of each file, worked
 * out from the body's byte offsets since the browser reports progress for the whole body only.
 */
export async function upload(files: File[], progress: (sentPerFile: number[]) => void): Promise<string> {
  const form = new FormData();
  for (const file of files) form.append('files', file, file.name);
  for (const file of files) form.append('lastModifiedTimestamps[]', String(file.lastModified));
  const sizes = files.map((f) => f.size);
  const fileBytes = sizes.reduce((a, b) => a + b, 0);

  const send = (token: string) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/file/uploads');
      xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.onprogress = (event) => {
        if (!event.lengthComputable) return;
        // Parts are small headers around the files, in order: scale the body's progress to
        // file bytes and hand each file its slice.
        let sent = (event.loaded / event.total) * fileBytes;
        progress(
          sizes.map((size) => {
            const mine = Math.min(size, Math.max(0, sent));
            sent -= size;
            return mine;
          }),
        );
      };
      xhr.onload = () => {
        let body: unknown = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          // Not JSON (a proxy's page): the status alone explains it.
        }
        resolve({ status: xhr.status, body });
      };
      xhr.onerror = () => reject(offline());
      xhr.send(form);
    });

  let result = await send(await accessToken());
  if (result.status === 401) {
    await refreshNow(null);
    result = await send(await accessToken());
    if (result.status === 401) endSession();
  }
  if (result.status < 200 || result.status >= 300) throw toError(result.status, result.body as ErrorBody);
  progress(sizes);
  return (result.body as { batchId: string }).batchId;
}
