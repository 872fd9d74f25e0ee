import { crc32, deflateSync } from 'node:zlib';

/**
 * Small media a customer can send without a file at hand: a PNG photo and a one-page PDF, built in
 * code so the repository holds no binaries.
 */
export interface SampleFile {
  bytes: Buffer;
  mimeType: string;
  filename: string;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 96×96 picture: a green sky over a hill with a yellow sun. */
function createSamplePng(): Buffer {
  const size = 96;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 3); // filter byte 0, then RGB
    for (let x = 0; x < size; x += 1) {
      const inSun = (x - 68) ** 2 + (y - 26) ** 2 < 14 ** 2;
      const onHill = y > 62 + Math.round(10 * Math.sin(x / 15));
      const [r, g, b] = inSun ? [250, 204, 21] : onHill ? [21, 128, 61] : [186, 230, 253 - y];
      row.writeUInt8(r, 1 + x * 3);
      row.writeUInt8(g, 2 + x * 3);
      row.writeUInt8(Math.max(0, b), 3 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type: truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF with a line of text; the cross-reference offsets are computed, so readers open it. */
function createSamplePdf(): Buffer {
  const text = 'BT /F1 18 Tf 72 720 Td (Sandbox order #1042 - thank you!) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

export const SAMPLE_IMAGE: SampleFile = { bytes: createSamplePng(), mimeType: 'image/png', filename: 'photo.png' };
export const SAMPLE_DOCUMENT: SampleFile = {
  bytes: createSamplePdf(),
  mimeType: 'application/pdf',
  filename: 'order-1042.pdf',
};

/**
 * Voice note, video and stickers: tiny files with the right signatures (Ogg, MP4 `ftyp`, RIFF/WEBP)
 * but no playable content; enough for an app that downloads, stores and forwards media.
 */
function placeholder(signature: Buffer, size = 256): Buffer {
  return Buffer.concat([signature, Buffer.alloc(size - signature.length, 0x20)]);
}
export const SAMPLE_VOICE: SampleFile = {
  bytes: placeholder(Buffer.from('OggS\0\u0002', 'latin1')),
  mimeType: 'audio/ogg',
  filename: 'voice.ogg',
};
export const SAMPLE_AUDIO: SampleFile = {
  bytes: placeholder(Buffer.from('ID3\u0004\0\0', 'latin1')),
  mimeType: 'audio/mpeg',
  filename: 'song.mp3',
};
export const SAMPLE_VIDEO: SampleFile = {
  bytes: placeholder(Buffer.from('\0\0\0\u0018ftypmp42', 'latin1')),
  mimeType: 'video/mp4',
  filename: 'clip.mp4',
};
export const SAMPLE_STICKER: SampleFile = {
  bytes: placeholder(Buffer.from('RIFF\u00f8\0\0\0WEBPVP8 ', 'latin1')),
  mimeType: 'image/webp',
  filename: 'sticker.webp',
};
