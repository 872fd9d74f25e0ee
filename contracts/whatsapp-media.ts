/**
 * What WhatsApp accepts as an uploaded media message, by MIME type (whatsapp-cloud-api.md §1.6,
 * Meta's table): images JPEG/PNG 5 MB; video MP4/3GP 16 MB; audio AAC/AMR/MP3/M4A/OGG 16 MB;
 * documents TXT/PDF/Office 100 MB; stickers WebP 500 KB (animated; 100 KB static). Shared by the
 * server (the upload route) and the panels (checked before uploading): no TypeBox here, so it
 * costs the panels' bundles a few hundred bytes.
 */
export type OutgoingMediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

const MB = 1024 * 1024;

export interface MediaRule {
  kind: OutgoingMediaKind;
  /** In words, for error messages: "an image (JPEG or PNG)". */
  label: string;
  maxBytes: number;
  mimeTypes: readonly string[];
}

export const OUTGOING_MEDIA_RULES: readonly MediaRule[] = [
  { kind: 'image', label: 'an image (JPEG or PNG)', maxBytes: 5 * MB, mimeTypes: ['image/jpeg', 'image/png'] },
  { kind: 'video', label: 'a video (MP4 or 3GP)', maxBytes: 16 * MB, mimeTypes: ['video/mp4', 'video/3gpp'] },
  {
    kind: 'audio',
    label: 'audio (AAC, AMR, MP3, M4A or OGG)',
    maxBytes: 16 * MB,
    mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
  },
  {
    kind: 'document',
    label: 'a document (PDF, text or Office)',
    maxBytes: 100 * MB,
    mimeTypes: [
      'application/pdf',
      'text/plain',
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
  },
  { kind: 'sticker', label: 'a sticker (WebP)', maxBytes: 500 * 1024, mimeTypes: ['image/webp'] },
];

/** The largest file any rule allows (the upload route's body limit). */
export const MAX_OUTGOING_MEDIA_BYTES = Math.max(...OUTGOING_MEDIA_RULES.map((rule) => rule.maxBytes));

/** The media type without parameters, lower-cased (`audio/ogg; codecs=opus` → `audio/ogg`). */
export const bareMimeType = (mimeType: string) => (mimeType.split(';')[0] ?? '').trim().toLowerCase();

export const mediaRuleFor = (mimeType: string): MediaRule | undefined =>
  OUTGOING_MEDIA_RULES.find((rule) => rule.mimeTypes.includes(bareMimeType(mimeType)));

const sizeInWords = (bytes: number) =>
  bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

/**
 * Why WhatsApp would refuse this file, in a sentence with the next step; undefined when it fits.
 * `mimeType` is what the browser says the file is.
 */
export function mediaProblem(file: { mimeType: string; sizeBytes: number }): string | undefined {
  const rule = mediaRuleFor(file.mimeType);
  if (rule === undefined)
    return `WhatsApp cannot send this kind of file (${bareMimeType(file.mimeType) || 'unknown type'}). Send a JPEG or PNG image, an MP4 video, audio (AAC, AMR, MP3, M4A, OGG), or a PDF, text or Office document.`;
  if (file.sizeBytes === 0) return 'This file is empty. Choose another one.';
  if (file.sizeBytes > rule.maxBytes)
    return `This file is ${sizeInWords(file.sizeBytes)}; WhatsApp takes ${rule.label} of at most ${sizeInWords(rule.maxBytes)}. Send a smaller one.`;
  return undefined;
}
