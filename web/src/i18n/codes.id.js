// Bahasa Indonesia: the words for the services' violation codes ("code.<code>").
// The field's label is shown beside them, so a text does not name the field.
// {n}, {m}, {size}: the limits the service's English text states.
export default {
  // generic
  'code.required': 'Wajib diisi',
  'code.too_long': 'Paling panjang {n} karakter',
  'code.too_many': 'Paling banyak {n} isian',
  'code.too_large': 'Paling besar {size}',
  'code.out_of_range': 'Harus antara {n} dan {m}',
  'code.text.invalid_utf8': 'Bukan teks yang sah',
  'code.text.invalid': 'Berisi karakter yang tidak diizinkan',
  'code.id.invalid': 'Tautan atau pilihan tidak sah',
  'code.nested_too_deep': 'Data terlalu dalam bertingkat',
  'code.negative': 'Tidak boleh negatif',
  'code.unknown_value': 'Pilihan tidak dikenal',
  'code.date.invalid': 'Harus tanggal yang ada (TTTT-BB-HH)',
  'code.date.future': 'Tidak boleh tanggal di masa depan',
  'code.page_token.invalid': 'Halaman tidak sah; muat ulang daftar',
  // the bus
  'code.idempotency_key.reused': 'Permintaan ini sudah dipakai untuk tindakan lain; muat ulang halaman lalu coba lagi',
  'code.deadline.invalid': 'Batas waktu permintaan tidak sah',
  'code.body.invalid': 'Isi permintaan tidak sah',
};
