import type { FastifyReply } from 'fastify';

/** Stored media as a download: its own type (never sniffed), a safe filename, cached privately for `maxAgeSeconds`. */
export function sendStoredMedia(
  reply: FastifyReply,
  stored: { mimeType: string; filename: string | null; bytes: Buffer },
  maxAgeSeconds: number,
) {
  return reply
    .header('content-type', stored.mimeType)
    .header('cache-control', `private, max-age=${Math.max(0, Math.floor(maxAgeSeconds))}`)
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', `attachment; filename="${(stored.filename ?? 'media').replace(/[^\w.-]/g, '_')}"`)
    .send(stored.bytes);
}
