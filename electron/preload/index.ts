import {
  BridgeCallError,
  type BridgeReply,
  type BridgeResult,
  type ConsoleBridge,
} from '@jiangxin/shared/bridge';
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { IPC } from './channels';

/**
 * The preload script: exposes the console bridge to the page as `window.jiangxin` and nothing else of
 * Electron (never `ipcRenderer` itself). It runs sandboxed, so it is bundled into one CommonJS file.
 *
 * A refused call rejects with the fields of a `BridgeCallError` (`name`, `message`, `code`, `problem`) as
 * a plain object: the context bridge copies an Error across worlds with its message only, dropping
 * `problem`, while a plain object arrives whole. The page can rebuild the class with
 * `new BridgeCallError(error.problem)`.
 */

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

// One IPC listener for all subscriptions (not one per `on`, which would trip the max-listeners warning).
ipcRenderer.on(IPC.event, (_event: IpcRendererEvent, message: { event: string; payload: unknown }) => {
  for (const listener of listeners.get(message.event) ?? []) {
    try {
      listener(message.payload);
    } catch (error) {
      console.error(`bridge event listener for ${message.event} failed`, error);
    }
  }
});

function crossWorldError(error: BridgeCallError) {
  return { name: error.name, message: error.message, code: error.code, problem: error.problem };
}

const bridge = {
  async call(method, args) {
    const reply = (await ipcRenderer.invoke(IPC.call, { method, args })) as BridgeReply;
    if (!reply.ok) throw crossWorldError(new BridgeCallError(reply.problem));
    return reply.result as BridgeResult<typeof method>;
  },
  on(event, listener) {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    const added = listener as Listener;
    set.add(added);
    return () => {
      set.delete(added);
    };
  },
} satisfies ConsoleBridge;

/** Desktop-only: the shell asks the page to open a case (an OS notification was clicked). */
const desktop = {
  onNavigate(listener: (target: { caseId: number }) => void): () => void {
    const handler = (_event: IpcRendererEvent, target: { caseId: number }) => listener(target);
    ipcRenderer.on(IPC.navigate, handler);
    return () => {
      ipcRenderer.removeListener(IPC.navigate, handler);
    };
  },
};

contextBridge.exposeInMainWorld('jiangxin', bridge);
contextBridge.exposeInMainWorld('jiangxinDesktop', desktop);
