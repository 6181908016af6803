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
} as const;

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
