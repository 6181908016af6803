import path from 'node:path';
import { BRIDGE_METHODS, type BridgeEvent, type BridgeEventPayload } from '@jiangxin/shared/bridge';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import type { ConsoleEngineHandle } from '../engine/api';
import { startConsoleEngine } from '../engine/index';
import { IPC } from '../preload/channels';
import { createAppProtocolHandler } from './app-protocol';
import { menuTemplate } from './menu';
import { createNotifier } from './notifications';
import { badgeCount, type Counts, PRODUCT_NAME, WINDOW_TITLE, windowTitle } from './presentation';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  apiDocsUrl,
  contentSecurityPolicy,
  denyAllPermissions,
  type ExternalLinks,
  guardNavigation,
  handleBridgeCall,
  openExternalIfAllowed,
  webPreferences,
  windowOpenHandler,
  withContentSecurityPolicy,
} from './security';
import { safeStorageTokenStore } from './token-store';
import { type ConsoleTray, createTray } from './tray';
import { loadWindowState, MIN_WINDOW_SIZE, placeWindow, saveWindowState } from './window-state';

/**
 * The desktop shell's entry (bundled to dist/main.js): one instance, one window, the console engine in
 * this process, and the OS around it (menu, tray, badge, notifications). The policy lives in security.ts.
 */

/** dist/ — main.js, preload.cjs, worker.js and tray.png sit side by side (scripts/build.mjs). */
const here = import.meta.dirname;
const DEFAULT_CORE_URL = process.env['JX_CORE_URL'] ?? 'http://127.0.0.1:3000';
/** The dev core (`npm start`) runs its sandbox gateway on :3100; with another core, name it explicitly. */
const SANDBOX_URL =
  process.env['JX_SANDBOX_URL'] ?? (process.env['JX_CORE_URL'] ? null : 'http://127.0.0.1:3100');
/**
 * The built renderer: inside app.asar when packaged (electron-builder.yml maps ../renderer/dist there, so
 * the asar integrity fuse covers the page's code too), the workspace's build folder in development.
 */
const rendererDir = app.isPackaged
  ? path.join(app.getAppPath(), 'renderer')
  : path.resolve(here, '../../renderer/dist');

type EngineEvent = { [E in BridgeEvent]: { event: E; payload: BridgeEventPayload<E> } }[BridgeEvent];

let engine: ConsoleEngineHandle | null = null;
let mainWindow: BrowserWindow | null = null;
let mainContentsId: number | null = null;
let tray: ConsoleTray | null = null;
let counts: Counts | null = null;

const log = (line: string) => console.log(`[jiangxin] ${line}`);

/** The core the engine talks to now: the person can change it, and the CSP and link checks follow. */
async function currentCoreUrl(): Promise<string> {
  if (!engine) return DEFAULT_CORE_URL;
  const reply = await engine.dispatch('config.get', {});
  const parsed = reply.ok ? BRIDGE_METHODS['config.get'].result.safeParse(reply.result) : null;
  return parsed?.success ? parsed.data.coreUrl : DEFAULT_CORE_URL;
}

const links: ExternalLinks = {
  coreUrl: currentCoreUrl,
  sandboxUrl: SANDBOX_URL,
  open: (url) => shell.openExternal(url),
};

function openLink(url: string): void {
  openExternalIfAllowed(url, links).then(
    (opened) => opened || log(`refused to open ${url}: not an allowed link`),
    (error: unknown) => log(`cannot open ${url}: ${error}`),
  );
}

function showWindow(): BrowserWindow {
  if (!mainWindow) return createWindow();
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
  return mainWindow;
}

function createWindow(): BrowserWindow {
  const stateFile = path.join(app.getPath('userData'), 'window-state.json');
  const state = loadWindowState(stateFile);
  const bounds = placeWindow(
    state,
    screen.getAllDisplays().map((d) => d.workArea),
    screen.getPrimaryDisplay().workArea,
  );
  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: windowTitle(counts),
    show: false,
    webPreferences: webPreferences(path.join(here, 'preload.cjs')),
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  // The shell owns the title: it carries the badge figures (`counts.changed`).
  win.on('page-title-updated', (event) => event.preventDefault());

  const contents = win.webContents;
  contents.on('will-navigate', (event) => guardNavigation(event, event.url));
  contents.on('will-redirect', (event) => guardNavigation(event, event.url));
  contents.setWindowOpenHandler(windowOpenHandler(openLink));

  win.on('close', () =>
    saveWindowState(stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() }),
  );
  win.on('closed', () => {
    mainWindow = null;
    mainContentsId = null;
  });
  mainWindow = win;
  mainContentsId = contents.id;
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

/** Sends to the page once it has loaded (a notification click may have just re-created the window). */
function sendToPage(channel: string, message: unknown): void {
  const win = mainWindow;
  if (!win || win.isDestroyed()) return;
  if (win.webContents.isLoading())
    win.webContents.once('did-finish-load', () => win.webContents.send(channel, message));
  else win.webContents.send(channel, message);
}

const notify = createNotifier({
  isWindowFocused: () => mainWindow?.isFocused() ?? false,
  openCase(caseId) {
    showWindow();
    if (caseId !== null) sendToPage(IPC.navigate, { caseId });
  },
});

function onEngineEvent(e: EngineEvent): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC.event, e);
  switch (e.event) {
    case 'counts.changed':
      counts = e.payload;
      mainWindow?.setTitle(windowTitle(counts));
      tray?.setCounts(counts);
      // Dock (macOS) and Unity launchers (Linux); Windows has no numeric badge.
      if (process.platform !== 'win32') app.setBadgeCount(badgeCount(counts));
      break;
    case 'sync.status':
      tray?.setSync(e.payload);
      break;
    case 'notify':
      notify(e.payload);
      break;
  }
}

function showAbout(): void {
  void dialog.showMessageBox({
    type: 'info',
    title: `关于${PRODUCT_NAME}`,
    message: WINDOW_TITLE,
    detail: [
      `版本 Version ${app.getVersion()}`,
      `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`,
    ].join('\n'),
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  const ses = session.defaultSession;
  denyAllPermissions(ses);
  // The page itself comes from app:// (whose handler sets the CSP); this covers any http(s) document.
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') return callback({});
    void currentCoreUrl().then((coreUrl) =>
      callback({
        responseHeaders: withContentSecurityPolicy(details.responseHeaders, contentSecurityPolicy(coreUrl)),
      }),
    );
  });
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      rendererDir,
      contentSecurityPolicy: async () => contentSecurityPolicy(await currentCoreUrl()),
    }),
  );

  try {
    engine = await startConsoleEngine({
      dataDir: app.getPath('userData'),
      defaultCoreUrl: DEFAULT_CORE_URL,
      tokenStore: safeStorageTokenStore(path.join(app.getPath('userData'), 'logins'), safeStorage, { log }),
      // Only allow-listed links leave the app; the engine refuses the rest as `link_not_allowed`.
      openExternal: (url) => openExternalIfAllowed(url, links),
      log: (line) => log(`engine: ${line}`),
    });
  } catch (error) {
    dialog.showErrorBox(
      `${PRODUCT_NAME}无法启动`,
      `运营台引擎启动失败：${error}\n\nThe console engine failed to start: ${error}`,
    );
    app.exit(1);
    return;
  }
  const started = engine;
  ipcMain.handle(IPC.call, (event, payload) => handleBridgeCall(started, event, payload, mainContentsId));
  started.subscribe((event, payload) => onEngineEvent({ event, payload } as EngineEvent));

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        isPackaged: app.isPackaged,
        platform: process.platform,
        about: showAbout,
        openApiDocs: () => {
          void currentCoreUrl().then((core) => {
            const docs = apiDocsUrl(core);
            if (docs) openLink(docs.href);
          });
        },
      }),
    ),
  );
  tray = createTray({ iconPath: path.join(here, 'tray.png'), showWindow, quit: () => app.quit() });
  createWindow();
}

app.setName(PRODUCT_NAME);
// An ASCII folder whatever the product name, and a separate profile for tests (JX_USER_DATA_DIR).
app.setPath(
  'userData',
  process.env['JX_USER_DATA_DIR'] ?? path.join(app.getPath('appData'), 'jiangxin-console'),
);
if (process.platform === 'win32') app.setAppUserModelId('cn.jiangxin.console');
app.enableSandbox();
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Only once the engine runs (macOS can emit `activate` while it is still starting).
  app.on('second-instance', () => engine && showWindow());
  app.on('activate', () => engine && showWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Close the engine (sync stops, the cache file is closed; the outbox stays on disk) before exiting.
  app.on('before-quit', (event) => {
    const closing = engine;
    if (!closing) return;
    event.preventDefault();
    engine = null;
    tray?.destroy();
    closing
      .close()
      .catch((error: unknown) => log(`engine close failed: ${error}`))
      .finally(() => app.quit());
  });
  start().catch((error: unknown) => {
    log(`startup failed: ${error instanceof Error ? error.stack : error}`);
    app.exit(1);
  });
}
