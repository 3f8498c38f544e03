// Client-side checks of a document file before upload (the server checks again).
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

// The content type named by the file's first bytes: PDF, JPEG or PNG, else null.
export function sniffType(head) {
  const b = head instanceof Uint8Array ? head : new Uint8Array(head || []);
  if (b.length >= 5 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46 && b[4] === 0x2d) return 'application/pdf';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 &&
      b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  return null;
}

// -> null when acceptable, else an i18n key naming the problem.
export function checkFile({ size, head }) {
  if (!size) return 'upload.empty';
  if (size > MAX_UPLOAD_BYTES) return 'upload.tooBig';
  if (!sniffType(head)) return 'upload.badType';
  return null;
}
