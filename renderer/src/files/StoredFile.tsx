import type { StoredFileInfo } from '@jiangxin/shared/api/files';
import {
  BridgeCallError,
  type BridgeProblem,
  type BridgeResult,
  bridgeProblem,
  type ConsoleBridge,
  FILE_CONTENT_MAX_BYTES,
} from '@jiangxin/shared/bridge';
import { Button, Image, Modal } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useBridge } from '../bridge';
import { useAction, useQuery } from '../calls';
import { formatBytes } from '../format';
import { useT } from '../i18n';
import { UserText } from '../kit/UserText';
import { useFileStrings } from './strings';
import './files.css';

/**
 * Stored files as staff open them anywhere in the console (support chats, dispute timelines and evidence).
 * The page cannot fetch a file itself — the core wants the staff member's token, which only the engine
 * holds — so the bytes come through the bridge (`files.content`) as a data: URL. Pictures the `<img>` of the
 * page can show are previewed; anything else is saved under its original name. Every refusal is said in
 * the person's words with the file's name: gone, offline, too large, or the core's own reason.
 */

export type FileContent = BridgeResult<'files.content'>;

/** Types an `<img>` shows safely and that the core accepts as uploads; anything else is downloaded. */
const PREVIEWABLE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Whether a file of this content type opens as a picture (preview) rather than a download. */
export function isPreviewable(contentType: string): boolean {
  return PREVIEWABLE.has(contentType.split(';')[0]!.trim().toLowerCase());
}

/** How many files each bridge remembers, and the largest one worth keeping (thumbnails, not archives). */
const CACHE_ENTRIES = 50;
const CACHE_MAX_BYTES = 1024 * 1024;
const caches = new WeakMap<ConsoleBridge, Map<number, Promise<FileContent>>>();

/**
 * A file's bytes through the engine. Small files are remembered per bridge (a chat re-rendering does not
 * fetch its pictures again; reopening a piece of evidence is instant); failures are not, so the next
 * attempt asks again — after a reconnect, say. A file over what `files.content` passes is refused here,
 * without a call, with the same problem the engine would send.
 */
export function readFileContent(bridge: ConsoleBridge, file: StoredFileInfo): Promise<FileContent> {
  if (file.sizeBytes > FILE_CONTENT_MAX_BYTES)
    return Promise.reject(
      new BridgeCallError(
        bridgeProblem('file_too_large', {
          zh: '文件太大，无法在运营台中打开',
          en: 'The file is too large to open in the console',
        }),
      ),
    );
  let cache = caches.get(bridge);
  if (!cache) {
    cache = new Map();
    caches.set(bridge, cache);
  }
  const known = cache.get(file.id);
  if (known) {
    // Most recently used last, so the oldest goes first.
    cache.delete(file.id);
    cache.set(file.id, known);
    return known;
  }
  const pending = bridge.call('files.content', { fileId: file.id });
  const entries = cache;
  entries.set(file.id, pending);
  const forget = () => {
    if (entries.get(file.id) === pending) entries.delete(file.id);
  };
  pending.then((c) => c.sizeBytes > CACHE_MAX_BYTES && forget(), forget);
  while (entries.size > CACHE_ENTRIES) entries.delete(entries.keys().next().value!);
  return pending;
}

/** What went wrong opening `file`, in the current language, naming the file. */
export function useFileProblemText(): (file: StoredFileInfo, problem: BridgeProblem) => string {
  const s = useFileStrings();
  const { pick } = useT();
  return (file, problem) => {
    const name = file.filename;
    if (problem.code === 'offline') return s('offline', { name });
    if (problem.status === 404 || problem.code === 'not_found') return s('gone', { name });
    if (problem.code === 'file_too_large')
      return s('tooLarge', {
        name,
        size: formatBytes(file.sizeBytes),
        max: formatBytes(FILE_CONTENT_MAX_BYTES),
      });
    return s('failed', { name, reason: pick(problem.message) });
  };
}

/** The bytes of a data: URL as a Blob (a blob: link downloads files a data: link is too long for). */
function blobOf(dataUrl: string): Blob {
  const comma = dataUrl.indexOf(',');
  const type = dataUrl.slice(5, comma).split(';')[0] || 'application/octet-stream';
  const binary = atob(dataUrl.slice(comma + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

/** Saves the content under the file's original name (the browser's or Electron's download). */
export function saveFileContent(content: FileContent, filename: string): void {
  const url = URL.createObjectURL(blobOf(content.dataUrl));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started reading the blob by now; give it ample time before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

type Loaded = { content: FileContent } | { problem: BridgeProblem } | null;

/**
 * A picture shown as a thumbnail as soon as it is on screen (chat messages): click to enlarge, zoom and
 * rotate. Its name and size under it; a problem in its place when it cannot be read.
 */
export function FileThumbnail({ file, testId }: { file: StoredFileInfo; testId?: string }) {
  const bridge = useBridge();
  const s = useFileStrings();
  const problemText = useFileProblemText();
  const read = useQuery(() => readFileContent(bridge, file), ['file', file.id]);
  const state: Loaded = read.data ? { content: read.data } : read.problem ? { problem: read.problem } : null;
  return (
    <figure className="stored-file stored-file-thumb" data-testid={testId} data-file-id={file.id}>
      {state === null && <span className="muted small">{s('loading')}</span>}
      {state && 'content' in state && (
        <Image
          src={state.content.dataUrl}
          alt={s('imageAlt', { name: file.filename })}
          width={160}
          className="stored-file-img"
        />
      )}
      {state && 'problem' in state && (
        <span className="problem small" role="alert">
          {problemText(file, state.problem)}
        </span>
      )}
      <figcaption className="small muted">
        {file.filename} · {formatBytes(file.sizeBytes)}
      </figcaption>
    </figure>
  );
}

/**
 * A file's name as a link: a picture opens in a preview (with a button to download the original), any
 * other file is saved under its original name. While it loads the link says so; a problem shows next to
 * it, and clicking again tries again.
 */
export function FileOpener({ file, testId }: { file: StoredFileInfo; testId?: string }) {
  const bridge = useBridge();
  const s = useFileStrings();
  const problemText = useFileProblemText();
  const reading = useAction(() => readFileContent(bridge, file), { exclusive: true });
  const { busy, problem } = reading;
  const [preview, setPreview] = useState<FileContent | null>(null);
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const size = formatBytes(file.sizeBytes);
  const picture = isPreviewable(file.contentType);

  const open = async () => {
    const outcome = await reading.run();
    // Gone from the screen meanwhile: nothing is saved or shown.
    if (!outcome.ok || !mounted.current) return;
    if (isPreviewable(outcome.value.contentType)) setPreview(outcome.value);
    else saveFileContent(outcome.value, file.filename);
  };

  return (
    <span className="stored-file" data-testid={testId} data-file-id={file.id}>
      <a
        href={`#file-${file.id}`}
        onClick={(e) => {
          e.preventDefault();
          void open();
        }}
        aria-label={s(picture ? 'previewFile' : 'downloadFile', { name: file.filename, size })}
        aria-busy={busy || undefined}
      >
        <span aria-hidden="true">{picture ? '🖼 ' : '📎 '}</span>
        <UserText>{file.filename}</UserText>
      </a>{' '}
      <span className="small muted">{size}</span>
      {busy && <span className="small muted"> {s('loading')}</span>}
      {problem && (
        <span className="problem small stored-file-problem" role="alert">
          {problemText(file, problem)}
        </span>
      )}
      {preview && (
        <Modal
          open
          onCancel={() => setPreview(null)}
          title={s('previewTitle', { name: file.filename, size })}
          destroyOnHidden
          width={720}
          footer={[
            <Button key="save" onClick={() => saveFileContent(preview, file.filename)}>
              {s('downloadOriginal')}
            </Button>,
            <Button key="close" type="primary" onClick={() => setPreview(null)}>
              {s('close')}
            </Button>,
          ]}
        >
          <div className="stored-file-preview">
            <Image src={preview.dataUrl} alt={s('imageAlt', { name: file.filename })} />
          </div>
          <p className="small muted">{s('previewHint')}</p>
        </Modal>
      )}
    </span>
  );
}
