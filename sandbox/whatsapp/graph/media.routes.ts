import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { WhatsAppContext } from '../context.ts';
import { createNumericId } from '../ids.ts';
import type { MediaObject } from '../records.ts';
import { authenticate, requirePhone } from './graph-auth.ts';
import { graphErrors } from './graph-errors.ts';
import { VERSION } from './graph-version.ts';

/** Supported upload types and their size limits (whatsapp-cloud-api.md §1.6). */
const MB = 1024 * 1024;
const LIMITS: { test: (mime: string) => boolean; maxBytes: number }[] = [
  { test: (mime) => ['image/jpeg', 'image/png'].includes(mime), maxBytes: 5 * MB },
  { test: (mime) => mime === 'image/webp', maxBytes: 500 * 1024 },
  { test: (mime) => ['video/mp4', 'video/3gpp'].includes(mime), maxBytes: 16 * MB },
  {
    test: (mime) => ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'].includes(mime),
    maxBytes: 16 * MB,
  },
  {
    test: (mime) =>
      mime === 'text/plain' ||
      mime === 'application/pdf' ||
      mime.startsWith('application/vnd.ms-') ||
      mime === 'application/msword' ||
      mime.startsWith('application/vnd.openxmlformats-officedocument.'),
    maxBytes: 100 * MB,
  },
];

/**
 * Media upload and delete (§1.6): `POST /{phone-number-id}/media` (multipart/form-data with `file`,
 * `messaging_product=whatsapp` and `type`) answers `{ id }`, usable in sends by that number's WABA;
 * `DELETE /{media-id}` answers `{ success: true }`. Uploads are kept in memory (Meta keeps them 30
 * days; the sandbox until reset).
 */
export async function mediaRoutes(fastify: FastifyInstance, options: { context: WhatsAppContext }): Promise<void> {
  const { state } = options.context;
  fastify.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: 101 * MB },
    (_request, body, done) => done(null, body),
  );

  fastify.post<{ Params: { phoneNumberId: string } }>(
    `/${VERSION}/:phoneNumberId/media`,
    { bodyLimit: 101 * MB },
    async (request) => {
      const grant = authenticate(state, request);
      const phone = requirePhone(state, grant, request.params.phoneNumberId, 'POST');
      const contentType = request.headers['content-type'] ?? '';
      if (!contentType.startsWith('multipart/form-data') || !Buffer.isBuffer(request.body)) {
        throw graphErrors.invalidParameter('Upload media as multipart/form-data with a file field');
      }
      const form = await readForm(contentType, request.body);
      if (form.get('messaging_product') === null) throw graphErrors.requiredParameter('messaging_product');
      if (form.get('messaging_product') !== 'whatsapp')
        throw graphErrors.invalidParameter('messaging_product must be whatsapp');
      const file = form.get('file');
      if (!(file instanceof File)) throw graphErrors.requiredParameter('file');
      const type = form.get('type');
      const mimeType = (typeof type === 'string' && type !== '' ? type : file.type).split(';')[0]?.trim() ?? '';
      const limit = LIMITS.find((candidate) => candidate.test(mimeType));
      if (!limit)
        throw graphErrors.invalidParameter(
          `Param file must be a file with one of the supported types; got ${mimeType}`,
        );
      const bytes = Buffer.from(await file.arrayBuffer());
      if (bytes.length === 0 || bytes.length > limit.maxBytes) {
        throw graphErrors.invalidParameter(`The file is empty or larger than ${limit.maxBytes} bytes for ${mimeType}`);
      }
      const media: MediaObject = {
        id: createNumericId(16),
        phoneNumberId: phone.id,
        mimeType,
        bytes,
        sha256Hex: createHash('sha256').update(bytes).digest('hex'),
        filename: file.name || null,
        createdAt: state.clock.now(),
      };
      state.media.set(media.id, media);
      return { id: media.id };
    },
  );

  fastify.delete<{ Params: { mediaId: string } }>(`/${VERSION}/:mediaId`, async (request) => {
    const grant = authenticate(state, request);
    const media = state.media.get(request.params.mediaId);
    const owner = media && state.phones.get(media.phoneNumberId);
    if (!media || !owner || !grant.wabaIds.includes(owner.wabaId)) {
      throw graphErrors.unknownObject(request.params.mediaId, 'DELETE');
    }
    state.media.delete(media.id);
    return { success: true };
  });
}

async function readForm(contentType: string, body: Buffer): Promise<FormData> {
  try {
    return await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw graphErrors.invalidParameter('The multipart/form-data body could not be read');
  }
}
