import { z } from 'zod';
import { isoDateTime } from './common';

/** Upload limits; the core enforces them and the console shows them before uploading. */
export const FILE_LIMITS = {
  maxBytes: 20 * 1024 * 1024,
  allowedTypes: [
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
    'application/pdf',
    'application/zip',
    'text/plain',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ],
  /** Longest stored filename, in characters (longer names are shortened, keeping the extension). */
  maxFilenameLength: 200,
} as const;

/** The multipart field an upload's bytes travel in (`POST /api/v1/files`, exactly one file). */
export const FILE_UPLOAD_FIELD = 'file' as const;

export type AllowedFileType = (typeof FILE_LIMITS.allowedTypes)[number];

/** A stored file's metadata. `url` downloads the bytes (same access rules as the metadata). */
export const fileSchema = z.object({
  id: z.number().int(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  url: z.string(),
  createdAt: isoDateTime,
});
export type StoredFileInfo = z.infer<typeof fileSchema>;
