import type { MenuItemConstructorOptions } from 'electron';
import { PRODUCT_NAME } from './presentation';

/**
 * The application menu, in Chinese. Built as a plain template (roles do the work) so it is tested
 * without Electron; `index.ts` turns it into a Menu. DevTools are offered only in development builds.
 */
export function menuTemplate(opts: {
  isPackaged: boolean;
  platform: NodeJS.Platform;
  about(): void;
  openApiDocs(): void;
}): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: `关于${PRODUCT_NAME}`, click: opts.about };
  const view: MenuItemConstructorOptions[] = [
    { label: '重新加载', role: 'reload' },
    { label: '强制重新加载', role: 'forceReload' },
    ...(opts.isPackaged ? [] : [{ label: '开发者工具', role: 'toggleDevTools' } as const]),
    { type: 'separator' },
    { label: '实际大小', role: 'resetZoom' },
    { label: '放大', role: 'zoomIn' },
    { label: '缩小', role: 'zoomOut' },
    { type: 'separator' },
    { label: '全屏', role: 'togglefullscreen' },
  ];
  return [
    ...(mac
      ? [
          {
            label: PRODUCT_NAME,
            submenu: [
              about,
              { type: 'separator' },
              { label: '隐藏', role: 'hide' },
              { label: '隐藏其他', role: 'hideOthers' },
              { type: 'separator' },
              { label: `退出${PRODUCT_NAME}`, role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    {
      label: '文件',
      submenu: [mac ? { label: '关闭窗口', role: 'close' } : { label: '退出', role: 'quit' }],
    },
    {
      label: '编辑',
      submenu: [
        { label: '撤销', role: 'undo' },
        { label: '重做', role: 'redo' },
        { type: 'separator' },
        { label: '剪切', role: 'cut' },
        { label: '复制', role: 'copy' },
        { label: '粘贴', role: 'paste' },
        { label: '全选', role: 'selectAll' },
      ],
    },
    { label: '视图', submenu: view },
    {
      label: '窗口',
      submenu: [
        { label: '最小化', role: 'minimize' },
        ...(mac
          ? ([
              { label: '缩放', role: 'zoom' },
              { label: '全部置于顶层', role: 'front' },
            ] as const)
          : ([{ label: '关闭', role: 'close' }] as const)),
      ],
    },
    {
      label: '帮助',
      submenu: [{ label: 'API 文档 API docs', click: opts.openApiDocs }, ...(mac ? [] : [about])],
    },
  ];
}
