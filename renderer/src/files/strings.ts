import { defineStrings } from '../i18n';

/** Words of the stored-file pieces (thumbnails, preview, downloads) every feature shows files with. */
export const useFileStrings = defineStrings(
  'files',
  {
    previewFile: '预览图片 {name}（{size}）',
    downloadFile: '下载文件 {name}（{size}）',
    imageAlt: '图片：{name}',
    loading: '正在读取文件…',
    previewTitle: '{name}（{size}）',
    previewHint: '点击图片可放大、旋转查看',
    downloadOriginal: '下载原文件',
    close: '关闭',
    gone: '{name} 已不存在（可能已被删除），无法打开。',
    offline: '运营台当前离线，无法打开 {name}；恢复连接后再试。',
    tooLarge: '{name} 大小为 {size}，超过运营台可打开的上限 {max}。',
    failed: '无法打开 {name}：{reason}',
  },
  {
    previewFile: 'Preview image {name} ({size})',
    downloadFile: 'Download file {name} ({size})',
    imageAlt: 'Image: {name}',
    loading: 'Reading the file…',
    previewTitle: '{name} ({size})',
    previewHint: 'Click the image to zoom or rotate it',
    downloadOriginal: 'Download the original',
    close: 'Close',
    gone: '{name} no longer exists (it may have been deleted) and cannot be opened.',
    offline: 'The console is offline, so {name} cannot be opened; try again once it reconnects.',
    tooLarge: '{name} is {size}, over the {max} the console can open.',
    failed: 'Could not open {name}: {reason}',
  },
);
