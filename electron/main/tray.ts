import type { SyncStatus } from '@jiangxin/shared/bridge';
import { Menu, nativeImage, Tray } from 'electron';
import { type Counts, syncLabel, trayTooltip } from './presentation';

export interface ConsoleTray {
  setCounts(counts: Counts): void;
  setSync(sync: SyncStatus): void;
  destroy(): void;
}

/**
 * The tray icon: its tooltip shows the open cases assigned to the person, unread support messages and
 * the sync state (from the engine's `counts.changed` and `sync.status` events); its menu brings the
 * window back or quits.
 */
export function createTray(opts: { iconPath: string; showWindow(): void; quit(): void }): ConsoleTray {
  const tray = new Tray(nativeImage.createFromPath(opts.iconPath));
  let counts: Counts | null = null;
  let sync: SyncStatus | null = null;

  const render = () => {
    tray.setToolTip(trayTooltip(counts, sync));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: '显示窗口', click: opts.showWindow },
        { label: syncLabel(sync), enabled: false },
        { type: 'separator' },
        { label: '退出', click: opts.quit },
      ]),
    );
  };
  // Windows and Linux: a left click brings the window back (macOS opens the menu instead).
  tray.on('click', opts.showWindow);
  render();

  return {
    setCounts(next) {
      counts = next;
      render();
    },
    setSync(next) {
      // Rebuild the menu only when its label changes, not on every progress tick of a snapshot.
      const changed = sync?.state !== next.state || sync.behindBy !== next.behindBy;
      sync = next;
      if (changed) render();
    },
    destroy: () => tray.destroy(),
  };
}
