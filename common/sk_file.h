/* sk_file.h - what an uploaded file is, judged by its content.
 *
 * Documents, signed agreements and proofs of publication arrive as bytes
 * with a name the sender chose; the name is never believed. Pure functions:
 * no I/O, no allocation. */
#ifndef SK_FILE_H
#define SK_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SK_FILE_UNKNOWN,
    SK_FILE_PDF,  /* starts with "%PDF-" */
    SK_FILE_JPEG, /* starts with FF D8 FF */
    SK_FILE_PNG,  /* starts with 89 50 4E 47 0D 0A 1A 0A */
} sk_file_kind;

/* What the first bytes of the content say it is; the file's name is never
 * consulted. UNKNOWN for anything else, too-short content, or NULL. */
sk_file_kind sk_file_kind_sniff(const uint8_t *data, size_t len);

/* "application/pdf", "image/jpeg", "image/png"; NULL for UNKNOWN. Static. */
const char *sk_file_kind_mime(sk_file_kind k);

/* Not empty and at most `max` bytes. */
bool sk_file_size_ok(size_t len, size_t max);

#endif
