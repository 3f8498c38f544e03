/* fuzz_pdf.c - sk_pdf_opens on any bytes: uploaded files that start like a
 * PDF reach qpdf through it. */
#include <stddef.h>
#include <stdint.h>

#include "sk_pdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)sk_pdf_opens(data, size);
    return 0;
}
