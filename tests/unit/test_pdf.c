/* test_pdf.c - sk_pdf_opens: what starts like a PDF is stored only when it
 * opens as one (qpdf parses it and finds a page). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "sk_pdf.h"

/* A page, a page tree and a catalog; no cross-reference table, as many
 * hand-made PDFs have (viewers and qpdf rebuild it). */
static const char ONE_PAGE[] =
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n";

static bool opens(const char *s)
{
    return sk_pdf_opens((const uint8_t *)s, strlen(s));
}

static void a_pdf_with_a_page_opens(void **state)
{
    (void)state;
    assert_true(opens(ONE_PAGE));
}

static void the_signature_and_junk_does_not(void **state)
{
    (void)state;
    assert_false(opens("%PDF-"));
    assert_false(opens("%PDF-1.7 this is not a document at all \x01\x02\x03"));
    /* a catalog but no pages: nothing a person could read */
    assert_false(opens("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"));
    assert_false(sk_pdf_opens(NULL, 10));
}

static void a_truncated_pdf_does_not(void **state)
{
    (void)state;
    /* cut inside the page tree: the catalog names a tree that is not there */
    size_t cut = (size_t)(strstr(ONE_PAGE, "2 0 obj") - ONE_PAGE);
    assert_false(sk_pdf_opens((const uint8_t *)ONE_PAGE, cut));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_pdf_with_a_page_opens),
        cmocka_unit_test(the_signature_and_junk_does_not),
        cmocka_unit_test(a_truncated_pdf_does_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
