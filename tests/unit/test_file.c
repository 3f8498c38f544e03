/* test_file.c - files are judged by their content (common/sk_file.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sk_file.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void file_kind_by_content(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
        sk_file_kind kind;
    } cases[] = {
        {"%PDF-1.7\n%\xe2\xe3\xcf\xd3", 14, SK_FILE_PDF},
        {"%PDF-", 5, SK_FILE_PDF},         /* the signature alone */
        {"%PDF", 4, SK_FILE_UNKNOWN},      /* one byte short */
        {"%pdf-1.4", 8, SK_FILE_UNKNOWN},  /* case matters */
        {" %PDF-1.4", 9, SK_FILE_UNKNOWN}, /* not at the start */
        {"\xff\xd8\xff\xe0\x00\x10JFIF", 10, SK_FILE_JPEG},
        {"\xff\xd8\xff", 3, SK_FILE_JPEG},
        {"\xff\xd8", 2, SK_FILE_UNKNOWN},
        {"\xff\xd8\xfe\xe0", 4, SK_FILE_UNKNOWN},
        {"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 16, SK_FILE_PNG},
        {"\x89PNG\r\n\x1a\n", 8, SK_FILE_PNG},
        {"\x89PNG\r\n\x1a", 7, SK_FILE_UNKNOWN},
        {"\x89PNG\r\n\x1a\x00", 8, SK_FILE_UNKNOWN},
        {"\x89PNG\n\n\x1a\n", 8, SK_FILE_UNKNOWN}, /* line ending mangled in transfer */
        {"GIF89a", 6, SK_FILE_UNKNOWN},
        {"PK\x03\x04", 4, SK_FILE_UNKNOWN}, /* a .docx */
        {"", 0, SK_FILE_UNKNOWN},
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        if (sk_file_kind_sniff((const uint8_t *)cases[i].bytes, cases[i].len) !=
            cases[i].kind)
            fail_msg("case %zu", i);
    assert_int_equal(sk_file_kind_sniff(NULL, 5), SK_FILE_UNKNOWN);
    /* the length is honoured even when more bytes follow in memory */
    assert_int_equal(sk_file_kind_sniff((const uint8_t *)"%PDF-1.7", 3),
                     SK_FILE_UNKNOWN);

    assert_string_equal(sk_file_kind_mime(SK_FILE_PDF), "application/pdf");
    assert_string_equal(sk_file_kind_mime(SK_FILE_JPEG), "image/jpeg");
    assert_string_equal(sk_file_kind_mime(SK_FILE_PNG), "image/png");
    assert_null(sk_file_kind_mime(SK_FILE_UNKNOWN));
}

static void file_size_limit(void **state)
{
    (void)state;
    const size_t max = 10u * 1024 * 1024;
    assert_false(sk_file_size_ok(0, max)); /* empty */
    assert_true(sk_file_size_ok(1, max));
    assert_true(sk_file_size_ok(max, max)); /* exactly the limit */
    assert_false(sk_file_size_ok(max + 1, max));
    assert_false(sk_file_size_ok(SIZE_MAX, max));
    assert_false(sk_file_size_ok(0, 0));
    assert_false(sk_file_size_ok(1, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(file_kind_by_content),
        cmocka_unit_test(file_size_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
