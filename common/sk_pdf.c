#include "sk_pdf.h"

#include <qpdf/qpdf-c.h>

bool sk_pdf_opens(const uint8_t *data, size_t len)
{
    if (!data || len < 5)
        return false;
    qpdf_data q = qpdf_init();
    if (!q)
        return false;
    /* Errors are read here, not printed on the service's stdout. */
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    bool ok = false;
    QPDF_ERROR_CODE rc = qpdf_read_memory(q, "upload", (const char *)data, (unsigned long long)len,
                                          NULL);
    if (!(rc & QPDF_ERRORS))
        ok = qpdf_get_num_pages(q) > 0 && !qpdf_has_error(q);
    while (qpdf_has_error(q))
        (void)qpdf_get_error(q);
    while (qpdf_more_warnings(q))
        (void)qpdf_next_warning(q);
    qpdf_cleanup(&q);
    return ok;
}
