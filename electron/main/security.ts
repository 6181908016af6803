import path from 'node:path';
import {
  BridgeContractError,
  type BridgeReply,
  bridgeProblem,
  parseBridgeCall,
} from '@jiangxin/shared/bridge';
import type { HandlerDetails, Session, WebPreferences, WindowOpenHandlerResponse } from 'electron';
import type { ConsoleEngineHandle } from '../engine/api';

/**
 * Every security decision of the desktop shell, in one file. Nothing here touches the Electron runtime
 * (only its types), so all of it is exercised by plain-Node tests; `index.ts` only wires it up.
 *
 * The renderer is served from the custom scheme `app://console/` (registered privileged, standard and
 * secure, see `index.ts`) instead of `file://`: the page gets a real origin for CSP `'self'`, it cannot
 * read arbitrary files (the handler serves `renderer/dist` only), and the `grantFileProtocolExtraPrivileges`
 * fuse can stay off.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Whether `url` is a page of the console itself (`app://console/…`, no credentials). */
export function isAppUrl(url: string): boolean {
  const u = parseUrl(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** The core's origin and the matching WebSocket origin (`ws:` for `http:`, `wss:` for `https:`). */
function coreOrigins(coreUrl: string): string[] {
  const u = parseUrl(coreUrl);
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return [];
  return [u.origin, `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`];
}

/**
 * The console page's Content-Security-Policy. Scripts come only from the app's own files (no inline
 * script, no eval). `style-src` allows `'unsafe-inline'` — and only there — because antd 6 styles its
 * components with CSS-in-JS that inserts `<style>` elements at run time; a nonce would have to be minted
 * per response and threaded into antd's ConfigProvider for no real gain, since styles cannot run code and
 * `connect-src`/`img-src` keep an injected style from loading anything off the allowed origins.
 */
export function contentSecurityPolicy(coreUrl: string): string {
  const core = coreOrigins(coreUrl);
  const httpCore = core.slice(0, 1);
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:', ...httpCore],
    ['font-src', "'self'", 'data:'],
    ['connect-src', "'self'", ...core],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['frame-ancestors', "'none'"],
    ['form-action', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** Response headers with our CSP in place of any the server sent (header names are case-insensitive). */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
  policy: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [policy];
  return out;
}

/**
 * The file of `renderer/dist` an `app://console/…` request asks for, or null when the request is not
 * ours or would leave the folder (`..` smuggled in percent-encoded, backslashes, NUL). Paths without a
 * file extension are client-side routes and get `index.html`.
 */
export function resolveAppFile(rendererDir: string, requestUrl: string): string | null {
  const u = parseUrl(requestUrl);
  if (!u || !isAppUrl(requestUrl)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${pathname}`);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return path.extname(file) === '' ? path.join(root, 'index.html') : file;
}

/** `will-navigate` / `will-redirect`: the window only ever shows the console's own pages. */
export function guardNavigation(event: { preventDefault(): void }, url: string): void {
  if (!isAppUrl(url)) event.preventDefault();
}

/**
 * `setWindowOpenHandler`: no page of ours opens a new Electron window. The URL goes to `openExternal`,
 * which opens it in the system browser only when the allow-list says so.
 */
export function windowOpenHandler(
  openExternal: (url: string) => void,
): (details: Pick<HandlerDetails, 'url'>) => WindowOpenHandlerResponse {
  return (details) => {
    openExternal(details.url);
    return { action: 'deny' };
  };
}

/** The core's API docs page (`/docs` under the core URL, which may have a path prefix). */
export function apiDocsUrl(coreUrl: string): URL | null {
  const core = parseUrl(coreUrl.endsWith('/') ? coreUrl : `${coreUrl}/`);
  return core && (core.protocol === 'http:' || core.protocol === 'https:') ? new URL('docs', core) : null;
}

/** Help pages (https only, exact host names — no lookalike subdomain matching). */
const HELP_HOSTS = new Set(['jiangxin.example', 'help.jiangxin.example']);

/**
 * Which links the console may hand to the system browser: the configured core's API docs (`/docs` under
 * the core URL, over the core's own scheme), the sandbox payment gateway when one is configured (the dev
 * core's runs on plain http), and the https help pages. Never credentials in the URL, never `file:`,
 * `javascript:` or an app's custom scheme.
 */
export function isAllowedExternalUrl(
  url: string,
  coreUrl: string,
  sandboxUrl: string | null = null,
): boolean {
  const u = parseUrl(url);
  if (!u || u.username || u.password) return false;
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  const docs = apiDocsUrl(coreUrl);
  if (docs && u.origin === docs.origin)
    return u.pathname === docs.pathname || u.pathname.startsWith(`${docs.pathname}/`);
  const sandbox = sandboxUrl ? parseUrl(sandboxUrl) : null;
  if (
    sandbox &&
    (sandbox.protocol === 'http:' || sandbox.protocol === 'https:') &&
    u.origin === sandbox.origin
  )
    return true;
  return u.protocol === 'https:' && u.port === '' && HELP_HOSTS.has(u.hostname);
}

export interface ExternalLinks {
  /** The core the engine talks to now (the person can change it in the settings). */
  coreUrl(): Promise<string>;
  sandboxUrl: string | null;
  /** The system browser (`shell.openExternal`). */
  open(url: string): Promise<void>;
}

/** Opens `url` in the system browser when it is allow-listed; says whether it did. */
export async function openExternalIfAllowed(url: string, links: ExternalLinks): Promise<boolean> {
  if (!isAllowedExternalUrl(url, await links.coreUrl(), links.sandboxUrl)) return false;
  await links.open(url);
  return true;
}

/**
 * The console needs no web permission (camera, geolocation, notifications — OS notifications come from
 * the main process), so every request and check is refused, device pickers included.
 */
export function denyAllPermissions(
  session: Pick<
    Session,
    'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
  >,
): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** The parts of an `IpcMainInvokeEvent` the sender check reads. */
export interface BridgeSender {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * An IPC call is trusted only from the main frame of our window while it shows a console page: not from
 * a subframe, not from another webContents (DevTools, a future window), not after a navigation elsewhere.
 */
export function isTrustedSender(event: BridgeSender, mainWebContentsId: number | null): boolean {
  const frame = event.senderFrame;
  return (
    mainWebContentsId !== null &&
    event.sender.id === mainWebContentsId &&
    frame !== null &&
    frame.parent === null &&
    isAppUrl(frame.url)
  );
}

/**
 * `ipcMain.handle('bridge:call')`: check the sender, check the call against the shared contract, then
 * hand it to the engine (which validates it again — a host bug cannot let a malformed call through). A
 * refusal is a `BridgeReply` like any other, so the renderer sees a bilingual problem, not an IPC error.
 */
export async function handleBridgeCall(
  engine: Pick<ConsoleEngineHandle, 'dispatch'>,
  event: BridgeSender,
  payload: unknown,
  mainWebContentsId: number | null,
): Promise<BridgeReply> {
  if (!isTrustedSender(event, mainWebContentsId))
    return {
      ok: false,
      problem: bridgeProblem('forbidden_sender', {
        zh: '已拒绝：调用不是来自运营台窗口。',
        en: 'Refused: the call did not come from the console window.',
      }),
    };
  const call = (payload ?? {}) as { method?: unknown; args?: unknown };
  try {
    parseBridgeCall(call.method, call.args);
  } catch (error) {
    if (!(error instanceof BridgeContractError)) throw error;
    return {
      ok: false,
      problem: bridgeProblem(
        'bad_call',
        { zh: `调用格式不正确：${error.message}`, en: `Malformed call: ${error.message}` },
        { issues: error.issues },
      ),
    };
  }
  return engine.dispatch(call.method, call.args);
}

/**
 * Electron fuses flipped into the packaged binary by electron-builder (`electronFuses` in
 * electron-builder.yml, which a test keeps equal to this object): no `ELECTRON_RUN_AS_NODE`, no
 * `NODE_OPTIONS` or `--inspect`, encrypted cookies, the app only from a validated `app.asar`, and no
 * extra `file://` privileges (we serve `app://`).
 */
export const FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
} as const;
