/* sk_pdf.h - does a file that says it is a PDF open as one?
 *
 * A signature check ("%PDF-") lets through anything that starts with five
 * bytes. Documents are read later by people, so what is stored must be a
 * PDF a viewer opens: qpdf (Debian's libqpdf) parses it, recovering what
 * viewers recover (a damaged cross-reference table), and it must have a page.
 * Thread-safe: each call parses with its own state. */
#ifndef SK_PDF_H
#define SK_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the `len` bytes at `data` parse as a PDF with at least one page.
 * Encrypted files that need a password, junk after the signature, and a
 * document without a page tree are not. Nothing is written anywhere. */
bool sk_pdf_opens(const uint8_t *data, size_t len);

#endif
