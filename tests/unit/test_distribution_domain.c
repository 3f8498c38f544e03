/* Distribution's pure rules: text and address checks, times, file sniffing,
 * recipients, retries, Markdown and the e-mail's texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "distribution/domain.h"
#include "distribution/smtp.h"

static void text_is_utf8_without_controls_and_counts_characters(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_true(dist_text_ok("Siaran pers", 20, false, &why));
    assert_null(why);
    assert_true(dist_text_ok("Pemda — “resmi”", 15, false, NULL)); /* 15 characters, more bytes */
    assert_false(dist_text_ok("Pemda — “resmi”", 14, false, &why));
    assert_string_equal(why, "too_long");
    assert_false(dist_text_ok("satu\ndua", 20, false, &why));
    assert_string_equal(why, "text.invalid");
    assert_true(dist_text_ok("satu\r\ndua\tdan", 20, true, NULL));
    assert_false(dist_text_ok("nul\x01", 20, true, NULL));
    assert_false(dist_text_ok("\xC0\xAF", 20, false, &why)); /* overlong '/' */
    assert_string_equal(why, "text.invalid");
    assert_false(dist_text_ok("\xED\xA0\x80", 20, false, NULL)); /* a surrogate */
    assert_false(dist_text_ok("\xE2\x82", 20, false, NULL));     /* cut short */
    assert_false(dist_text_ok("\xC2\x85", 20, true, NULL));      /* C1 control */
    assert_true(dist_text_ok(NULL, 0, false, NULL));
    assert_true(dist_blank(NULL));
    assert_true(dist_blank(" \t\r\n"));
    assert_false(dist_blank(" x "));
}

static void email_addresses_that_could_inject_commands_are_refused(void **state)
{
    (void)state;
    assert_true(dist_email_valid("redaksi@kabar-alfa.co.id"));
    assert_true(dist_email_valid("a.b+c@x.test"));
    const char *bad[] = {
        "", "a", "@x.test", "a@", "a@x", "a@@x.test", "a@x..test", ".a@x.test", "a.@x.test",
        "a..b@x.test", "a b@x.test", "a@x.test\r\nRCPT TO:<v@x.test>", "<a@x.test>",
        "a@x.test>", "\"a\"@x.test", "a,b@x.test", "a;b@x.test", "a@-x.test", "a@x-.test",
        "a@x_y.test", "a@x.test ", "ä@x.test",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (dist_email_valid(bad[i]))
            fail_msg("accepted %s", bad[i]);
    char longest[300];
    memset(longest, 'a', 64);
    strcpy(longest + 64, "@");
    for (int i = 0; i < 3; i++)
        strcat(longest, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."); /* 63 + dot */
    strcat(longest, "test");
    assert_int_equal(strlen(longest), 261);
    assert_false(dist_email_valid(longest));
    assert_false(dist_email_valid(NULL));
}

static void urls_are_http_with_a_host(void **state)
{
    (void)state;
    assert_true(dist_url_valid("https://kabar.test/berita/1?x=2#a"));
    assert_true(dist_url_valid("http://kabar.test:8080/"));
    assert_true(dist_url_valid("HTTPS://Kabar.Test"));
    const char *bad[] = {"javascript:alert(1)", "ftp://x.test", "https://", "https:///x",
                         "https://user@x.test/", "https://x.test/a b", "https://x.test/<s>",
                         "https://x.test:99999/", "https://x.test:/", "//x.test", "https://x_y.test"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (dist_url_valid(bad[i]))
            fail_msg("accepted %s", bad[i]);
    assert_true(dist_phone_valid("0812-3456-7890"));
    assert_true(dist_phone_valid("+62 (711) 123456"));
    assert_false(dist_phone_valid("12345"));
    assert_false(dist_phone_valid("0812 ext 5"));
}

static void rfc3339_times_parse_with_offsets(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_true(dist_parse_time("2027-01-10T02:00:00Z", &t));
    assert_int_equal(t, 1799546400);
    int64_t w = 0;
    assert_true(dist_parse_time("2027-01-10T09:00:00+07:00", &w));
    assert_int_equal(w, t);
    assert_true(dist_parse_time("2027-01-10T09:00+07:00", &w)); /* seconds optional */
    assert_int_equal(w, t);
    assert_true(dist_parse_time("2027-01-10 02:00:00.123456z", &w));
    assert_int_equal(w, t);
    assert_true(dist_parse_time("2027-01-09T21:00:00-05:00", &w));
    assert_int_equal(w, t);
    const char *bad[] = {"2027-02-29T00:00:00Z", "2028-02-30T00:00:00Z", "2027-13-01T00:00:00Z",
                         "2027-01-10T24:00:00Z", "2027-01-10T09:60:00Z", "2027-01-10T09:00:00",
                         "2027-01-10T09:00:00+0700", "2027-01-10T09:00:00Zx", "1969-12-31T23:59:59Z",
                         "2027-01-10", "2027-01-10T09:00:00.Z", "", "2027-01-10T09:00:00+07"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (dist_parse_time(bad[i], &w))
            fail_msg("accepted %s", bad[i]);
    assert_true(dist_parse_time("2028-02-29T00:00:00Z", &w)); /* a leap day */
    char out[21];
    assert_true(dist_format_time(t, out));
    assert_string_equal(out, "2027-01-10T02:00:00Z");
    char wib[64];
    assert_true(dist_format_wib(t, wib, sizeof(wib)));
    assert_string_equal(wib, "10 Januari 2027 pukul 09.00 WIB");
    assert_true(dist_format_wib(t + 15 * 3600, wib, sizeof(wib))); /* past midnight in WIB */
    assert_string_equal(wib, "11 Januari 2027 pukul 00.00 WIB");
}

static void embargo_lifts_at_its_time_and_must_lie_ahead(void **state)
{
    (void)state;
    const int64_t at = 1798761600;
    assert_false(distribution_embargo_lifted(at, at - 1));
    assert_true(distribution_embargo_lifted(at, at));
    assert_true(distribution_embargo_lifted(0, at));
    assert_false(dist_embargo_acceptable(at, at));
    assert_false(dist_embargo_acceptable(at + DIST_EMBARGO_MIN_S - 1, at));
    assert_true(dist_embargo_acceptable(at + DIST_EMBARGO_MIN_S, at));
    assert_true(dist_embargo_acceptable(at + 366 * 86400, at));
    assert_false(dist_embargo_acceptable(at + 366 * 86400 + 1, at));
}

static bool has(const dist_violations *v, const char *field, const char *code)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->items[i].field, field) == 0 && strcmp(v->items[i].code, code) == 0)
            return true;
    return false;
}

static void a_draft_needs_a_title_and_a_sent_release_everything(void **state)
{
    (void)state;
    dist_release_input in = {.title = "Judul"};
    dist_violations v = {0};
    assert_true(dist_release_input_check(&in, "content", false, &v));
    assert_false(dist_release_input_check(&in, "content", true, &v));
    assert_true(has(&v, "content.bodyMarkdown", "required"));
    assert_true(has(&v, "content.category", "required"));
    assert_true(has(&v, "content.contact.name", "required"));
    assert_true(has(&v, "content.contact.phone", "contact.phone_or_email_required"));
    dist_release_input full = {
        .title = "Judul", .body_markdown = "Isi", .category = 1, .contact_name = "Sari",
        .contact_email = "sari@x.test", .agenda_starts_at = "2027-01-10T09:00:00+07:00",
    };
    memset(&v, 0, sizeof(v));
    assert_true(dist_release_input_check(&full, "content", true, &v));
    full.contact_email = "sari@x.test\r\nBcc: a@b.test";
    full.category = 10;
    full.agenda_starts_at = "besok pagi";
    full.title = "";
    assert_false(dist_release_input_check(&full, "content", false, &v));
    assert_true(has(&v, "content.contact.email", "email.invalid"));
    assert_true(has(&v, "content.category", "unknown_value"));
    assert_true(has(&v, "content.agenda.startsAt", "time.invalid"));
    assert_true(has(&v, "content.title", "required"));
    /* a text over its limit states the limit, in characters */
    memset(&v, 0, sizeof(v));
    char title[DIST_TITLE_MAX * 2 + 3];
    for (size_t i = 0; i <= DIST_TITLE_MAX; i++)
        memcpy(title + 2 * i, "\xC3\xA9", 2); /* é: 201 characters, 402 bytes */
    title[2 * (DIST_TITLE_MAX + 1)] = '\0';
    full.title = title;
    assert_false(dist_release_input_check(&full, "content", false, &v));
    assert_true(has(&v, "content.title", "too_long"));
    for (size_t i = 0; i < v.n; i++)
        if (strcmp(v.items[i].field, "content.title") == 0)
            assert_string_equal(v.items[i].english, "at most 200 characters");
}

static size_t png(uint8_t *out, uint32_t w, uint32_t h)
{
    static const uint8_t head[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A,
                                   0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    memcpy(out, head, sizeof(head));
    uint8_t dims[] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h};
    memcpy(out + 16, dims, 8);
    return 24;
}

static void files_are_known_by_their_bytes_and_images_by_their_size(void **state)
{
    (void)state;
    uint8_t p[32];
    uint32_t w = 1, h = 1;
    size_t n = png(p, 1920, 1080);
    assert_int_equal(dist_file_sniff(p, n, &w, &h), DIST_FILE_PNG);
    assert_int_equal(w, 1920);
    assert_int_equal(h, 1080);
    assert_int_equal(dist_file_sniff(p, n - 1, &w, &h), DIST_FILE_UNKNOWN); /* cut short */
    assert_int_equal(w, 0);
    png(p, 0, 10);
    assert_int_equal(dist_file_sniff(p, n, &w, &h), DIST_FILE_UNKNOWN); /* no width */
    /* JPEG: APP0 segment skipped, SOF2 (progressive) read */
    const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xFF,
                            0xC2, 0x00, 0x11, 0x08, 0x04, 0x38, 0x07, 0x80, 0x03};
    assert_int_equal(dist_file_sniff(jpeg, sizeof(jpeg), &w, &h), DIST_FILE_JPEG);
    assert_int_equal(w, 1920);
    assert_int_equal(h, 1080);
    const uint8_t dht_only[] = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x02, 0xFF, 0xDA, 0x00, 0x02};
    assert_int_equal(dist_file_sniff(dht_only, sizeof(dht_only), &w, &h), DIST_FILE_UNKNOWN);
    const uint8_t bad_len[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01};
    assert_int_equal(dist_file_sniff(bad_len, sizeof(bad_len), &w, &h), DIST_FILE_UNKNOWN);
    assert_int_equal(dist_file_sniff((const uint8_t *)"%PDF-1.7", 8, &w, &h), DIST_FILE_PDF);
    assert_int_equal(dist_file_sniff((const uint8_t *)"GIF89a", 6, &w, &h), DIST_FILE_UNKNOWN);
    assert_int_equal(dist_file_sniff(NULL, 10, &w, &h), DIST_FILE_UNKNOWN);

    const char *code = NULL, *english = NULL;
    assert_true(
        dist_file_acceptable(DIST_KIND_PHOTO, DIST_FILE_JPEG, 1000, 8000, 8000, &code, &english));
    assert_false(
        dist_file_acceptable(DIST_KIND_PHOTO, DIST_FILE_JPEG, 1000, 8001, 10, &code, &english));
    assert_string_equal(code, "image.too_large");
    assert_false(dist_file_acceptable(DIST_KIND_PHOTO, DIST_FILE_PDF, 1000, 0, 0, &code, NULL));
    assert_string_equal(code, "file.not_image");
    assert_false(dist_file_acceptable(DIST_KIND_PHOTO, DIST_FILE_PNG, DIST_PHOTO_MAX_BYTES + 1, 10,
                                      10, &code, &english));
    assert_string_equal(code, "too_large");
    assert_string_equal(english, "at most 5 MiB");
    assert_true(dist_file_acceptable(DIST_KIND_ATTACHMENT, DIST_FILE_PDF, DIST_ATTACHMENT_MAX_BYTES,
                                     0, 0, &code, &english));
    assert_false(dist_file_acceptable(DIST_KIND_ATTACHMENT, DIST_FILE_PDF,
                                      DIST_ATTACHMENT_MAX_BYTES + 1, 0, 0, &code, &english));
    assert_string_equal(english, "at most 10 MiB");
    assert_false(
        dist_file_acceptable(DIST_KIND_ATTACHMENT, DIST_FILE_UNKNOWN, 10, 0, 0, &code, &english));
    assert_string_equal(code, "file.type");
    assert_false(
        dist_file_acceptable(DIST_KIND_ATTACHMENT, DIST_FILE_PDF, 0, 0, 0, &code, &english));
    assert_string_equal(code, "required");
}

static void file_names_are_safe_for_headers(void **state)
{
    (void)state;
    char out[64];
    dist_safe_file_name("../../etc/passwd", out, sizeof(out));
    assert_string_equal(out, "passwd");
    dist_safe_file_name("C:\\foto\\rapat \"akhir\".jpg", out, sizeof(out));
    assert_string_equal(out, "rapat _akhir_.jpg");
    dist_safe_file_name("a\r\nContent-Type: x", out, sizeof(out));
    assert_null(strchr(out, '\r'));
    assert_null(strchr(out, '\n'));
    dist_safe_file_name(".htaccess", out, sizeof(out));
    assert_string_equal(out, "_htaccess");
    dist_safe_file_name("", out, sizeof(out));
    assert_string_equal(out, "file");
    dist_safe_file_name("foto-ü.png", out, sizeof(out));
    assert_string_equal(out, "foto-__.png");
}

static void retries_back_off_and_outcomes_follow_the_reply(void **state)
{
    (void)state;
    assert_int_equal(dist_retry_delay_s(1, 60, 3600), 60);
    assert_int_equal(dist_retry_delay_s(2, 60, 3600), 120);
    assert_int_equal(dist_retry_delay_s(6, 60, 3600), 1920);
    assert_int_equal(dist_retry_delay_s(7, 60, 3600), 3600);
    assert_int_equal(dist_retry_delay_s(100, 60, 3600), 3600);
    assert_true(dist_may_retry(9, 10));
    assert_false(dist_may_retry(10, 10));
    assert_int_equal(dist_classify(true, DIST_PHASE_DATA, 250), DIST_OUTCOME_SENT);
    assert_int_equal(dist_classify(false, DIST_PHASE_RCPT, 550), DIST_OUTCOME_BOUNCED);
    assert_int_equal(dist_classify(false, DIST_PHASE_RCPT, 450), DIST_OUTCOME_RETRY);
    assert_int_equal(dist_classify(false, DIST_PHASE_MAIL, 553), DIST_OUTCOME_FAILED);
    assert_int_equal(dist_classify(false, DIST_PHASE_DATA, 554), DIST_OUTCOME_FAILED);
    assert_int_equal(dist_classify(false, DIST_PHASE_DATA, 0), DIST_OUTCOME_RETRY); /* no answer */
    assert_int_equal(dist_classify(false, DIST_PHASE_CONNECT, 535), DIST_OUTCOME_RETRY);
    assert_int_equal(dist_classify(false, DIST_PHASE_CONNECT, 0), DIST_OUTCOME_RETRY);
}

static void only_active_partners_are_chosen(void **state)
{
    (void)state;
    const int32_t today = 20000;
    assert_true(dist_partner_active(true, false, -1, today));
    assert_true(dist_partner_active(true, false, today, today));
    assert_false(dist_partner_active(true, false, today - 1, today));
    assert_false(dist_partner_active(true, true, -1, today));
    assert_false(dist_partner_active(false, false, -1, today));

    dist_outlet_fact online_b = {2, 2, true}, print_unscored = {1, 0, false};
    dist_outlet_fact both[] = {online_b, print_unscored};
    const int tier_b[] = {2}, print[] = {1};
    dist_selection by_tier = {DIST_MODE_FILTER, tier_b, 1, NULL, 0};
    dist_selection by_type = {DIST_MODE_FILTER, NULL, 0, print, 1};
    dist_selection all = {DIST_MODE_ALL, NULL, 0, NULL, 0};
    dist_selection pick = {DIST_MODE_CHOSEN, NULL, 0, NULL, 0};
    assert_true(dist_outlet_selected(&by_tier, &online_b));
    assert_false(dist_outlet_selected(&by_tier, &print_unscored)); /* tier unknown */
    assert_true(dist_outlet_selected(&by_type, &print_unscored));
    assert_true(dist_company_selected(&by_tier, true, false, both, 2));
    assert_false(dist_company_selected(&by_tier, true, false, &print_unscored, 1));
    assert_false(dist_company_selected(&by_tier, false, false, both, 2)); /* not active */
    assert_true(dist_company_selected(&all, true, false, NULL, 0));
    assert_false(dist_company_selected(&all, false, true, NULL, 0));
    assert_true(dist_company_selected(&pick, true, true, NULL, 0));
    assert_false(dist_company_selected(&pick, true, false, both, 2));

    dist_violations v = {0};
    const int bad_tiers[] = {4}, bad_types[] = {0};
    assert_false(dist_selection_check(DIST_MODE_FILTER, bad_tiers, 1, bad_types, 1, 0,
                                      0, "recipients", &v));
    assert_true(has(&v, "recipients.tiers[0]", "unknown_value"));
    assert_true(has(&v, "recipients.outletTypes[0]", "unknown_value"));
    assert_true(has(&v, "recipients.fiscalYear", "required"));
    memset(&v, 0, sizeof(v));
    assert_false(dist_selection_check(DIST_MODE_CHOSEN, NULL, 0, NULL, 0, 0, 0, "recipients", &v));
    assert_true(has(&v, "recipients.companyIds", "required"));
    memset(&v, 0, sizeof(v));
    assert_false(dist_selection_check(0, NULL, 0, NULL, 0, 0, 0, "recipients", &v));
    assert_true(has(&v, "recipients.mode", "required"));
}

static void markdown_never_renders_raw_html_or_script_links(void **state)
{
    (void)state;
    const char *md = "**tebal** <b onclick=\"x()\">b</b>\n\n<script>alert(1)</script>\n\n"
                     "[a](javascript:alert(1)) [b](https://x.test) ![c](data:image/png;base64,AA==)\n";
    char *html = dist_render_markdown(md, strlen(md));
    assert_non_null(html);
    assert_non_null(strstr(html, "<strong>tebal</strong>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "onclick"));
    assert_null(strstr(html, "javascript:"));
    assert_non_null(strstr(html, "raw HTML omitted"));
    assert_non_null(strstr(html, "href=\"https://x.test\""));
    free(html);
    char *e = dist_html_escape("<a href=\"x\">'&'</a>");
    assert_string_equal(e, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    free(e);
}

static void headers_are_encoded_and_cannot_be_split(void **state)
{
    (void)state;
    char *h = dist_header_encode("Rapat koordinasi\r\nBcc: a@b.test");
    assert_string_equal(h, "Rapat koordinasiBcc: a@b.test");
    free(h);
    /* 60 two-byte characters: several encoded words, each whole */
    char in[200] = "";
    for (int i = 0; i < 60; i++)
        strcat(in, "é");
    h = dist_header_encode(in);
    assert_non_null(h);
    char decoded[200] = "";
    size_t words = 0;
    for (char *w = strstr(h, "=?UTF-8?B?"); w; w = strstr(w + 1, "=?UTF-8?B?")) {
        char *end = strstr(w, "?=");
        assert_non_null(end);
        assert_true(end + 2 - w <= 75);
        unsigned char bin[64];
        size_t n = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof(bin), w + 10, (size_t)(end - w - 10), NULL,
                                           &n, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        strncat(decoded, (char *)bin, n);
        words++;
    }
    assert_true(words >= 3);
    assert_string_equal(decoded, in);
    for (char *p = h; *p; p++)
        if (*p == '\n')
            assert_int_equal(p[1], ' '); /* only folding */
    free(h);
}

static void the_mail_states_embargo_and_correction_plainly(void **state)
{
    (void)state;
    const char *files[] = {"foto.jpg", "undangan.pdf"};
    dist_release_view r = {
        .in = {.title = "Judul <b>penting</b>", .lead = "Teras", .body_markdown = "Isi\nbaris",
               .category = 1, .contact_name = "Sari", .contact_phone = "0812345678",
               .agenda_title = "Rapat", .agenda_starts_at = "2027-01-10T09:00:00+07:00"},
        .body_html = "<p>Isi</p>",
        .category_label = dist_category_label(1),
        .embargo_until = 1799546400,
        .version = 2,
        .correction_note = "Tempat diralat",
        .sender_name = "Diskominfo",
        .file_names = files,
        .n_files = 2,
    };
    dist_message_text m = {0};
    assert_int_equal(dist_compose_release(&r, &m), 0);
    assert_string_equal(m.subject, "RALAT: Judul <b>penting</b>");
    assert_non_null(strstr(m.text, "SIARAN PERS - Pemerintahan\r\n"));
    assert_non_null(strstr(m.text, "RALAT (versi 2): Tempat diralat\r\n"));
    assert_non_null(strstr(m.text, "EMBARGO: boleh dipublikasikan sejak 10 Januari 2027 pukul 09.00 WIB."));
    assert_non_null(strstr(m.text, "Agenda: Rapat, 10 Januari 2027 pukul 09.00 WIB\r\n"));
    assert_non_null(strstr(m.text, "Lampiran: foto.jpg, undangan.pdf"));
    assert_non_null(strstr(m.html, "Judul &lt;b&gt;penting&lt;/b&gt;"));
    assert_null(strstr(m.html, "<b>penting"));
    assert_non_null(strstr(m.html, "<p>Isi</p>"));
    for (const char *p = m.text; *p; p++)
        if (*p == '\n')
            assert_int_equal(p[-1], '\r');
    dist_message_text_free(&m);
    r.version = 1;
    r.embargo_until = 0;
    assert_int_equal(dist_compose_release(&r, &m), 0);
    assert_string_equal(m.subject, "Judul <b>penting</b>");
    assert_null(strstr(m.text, "EMBARGO"));
    assert_null(strstr(m.text, "RALAT"));
    dist_message_text_free(&m);
}

static void sender_address_is_taken_from_the_from_setting(void **state)
{
    (void)state;
    char a[256];
    assert_true(dist_smtp_parse_from("Diskominfo OKI <humas@okikab.go.id>", a, sizeof(a)));
    assert_string_equal(a, "humas@okikab.go.id");
    assert_true(dist_smtp_parse_from("humas@okikab.go.id", a, sizeof(a)));
    assert_false(dist_smtp_parse_from("Diskominfo <humas@okikab.go.id> x", a, sizeof(a)));
    assert_false(dist_smtp_parse_from("Diskominfo", a, sizeof(a)));
    assert_false(dist_smtp_parse_from("<a@b.test\r\n>", a, sizeof(a)));
}

/* ---- templates and notices ---- */

static const dist_mail_context MC = {"https://seklik.test", "Diskominfo"};

static void reset_template_links_to_the_users_page_in_its_language(void **state)
{
    (void)state;
    dist_kv v[] = {{"user", "01890a5d-ac96-774b-bcce-b302099a8057"},
                   {"token", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCde"},
                   {"minutes", "30"},
                   {"name", "Sari <Humas>"}};
    dist_message_text m;
    dist_violations vs = {0};
    assert_int_equal(dist_compose_template("password_reset", "id", v, 4, &MC, &m, &vs), 0);
    assert_string_equal(m.subject, "Atur ulang kata sandi SEKLIK Anda");
    assert_non_null(strstr(m.text, "https://seklik.test/#/reset?u=01890a5d-ac96-774b-bcce-"
                                   "b302099a8057&t=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCde\r\n"));
    assert_non_null(strstr(m.text, "30 menit"));
    assert_non_null(strstr(m.html, "Sari &lt;Humas&gt;")); /* escaped in HTML */
    assert_null(strstr(m.html, "<Humas>"));
    assert_non_null(strstr(m.html, "lang=\"id\""));
    dist_message_text_free(&m);
    assert_int_equal(dist_compose_template("password_reset", "en", v, 4, &MC, &m, &vs), 0);
    assert_string_equal(m.subject, "Reset your SEKLIK password");
    assert_non_null(strstr(m.text, "30 minutes"));
    dist_message_text_free(&m);
}

static void template_values_are_checked_before_rendering(void **state)
{
    (void)state;
    dist_message_text m;
    dist_violations vs = {0};
    assert_int_equal(dist_compose_template("promo", "id", NULL, 0, &MC, &m, &vs), -1);
    assert_string_equal(vs.items[0].field, "templateName");
    assert_string_equal(vs.items[0].code, "unknown_value");

    dist_kv bad[] = {{"user", "not-a-uuid"},
                     {"token", "short"},
                     {"minutes", "0"},
                     {"name", "Sari\r\nBcc: all@x.test"},
                     {"extra", "x"},
                     {"name", "again"}};
    memset(&vs, 0, sizeof(vs));
    assert_int_equal(dist_compose_template("password_reset", "id", bad, 6, &MC, &m, &vs), -1);
    const char *want[][2] = {
        {"values[0].value", "value.invalid"}, {"values[1].value", "value.invalid"},
        {"values[2].value", "value.invalid"}, {"values[3].value", "text.invalid"},
        {"values[4].key", "unknown_value"},   {"values[5].key", "duplicate"}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        bool found = false;
        for (size_t k = 0; k < vs.n; k++)
            found = found || (strcmp(vs.items[k].field, want[i][0]) == 0 &&
                              strcmp(vs.items[k].code, want[i][1]) == 0);
        if (!found)
            fail_msg("no %s %s", want[i][0], want[i][1]);
    }
    /* a required value missing */
    dist_kv few[] = {{"user", "01890a5d-ac96-774b-bcce-b302099a8057"}};
    memset(&vs, 0, sizeof(vs));
    assert_int_equal(dist_compose_template("password_reset", "id", few, 1, &MC, &m, &vs), -1);
    assert_int_equal(vs.n, 2);
    assert_string_equal(vs.items[0].field, "values.token");
    assert_string_equal(vs.items[1].field, "values.minutes");
    /* a notice's link is a portal route, nothing else */
    dist_kv link[] = {{"kind", "document_rejected"}, {"link", "javascript:alert(1)"}};
    memset(&vs, 0, sizeof(vs));
    assert_int_equal(dist_compose_template("notice", "id", link, 2, &MC, &m, &vs), -1);
    assert_string_equal(vs.items[0].field, "values[1].value");
}

static void notice_mail_says_what_and_why_in_both_languages(void **state)
{
    (void)state;
    dist_kv v[] = {{"kind", "document_rejected"},
                   {"link", "/my"},
                   {"name", "Redaksi"},
                   {"companyName", "PT Kabar & Co"},
                   {"documentType", "DOCUMENT_TYPE_NPWP"},
                   {"reason", "Foto buram\nunggah ulang"}};
    dist_message_text m;
    dist_violations vs = {0};
    assert_int_equal(dist_compose_template("notice", "id", v, 6, &MC, &m, &vs), 0);
    assert_string_equal(m.subject, "Dokumen ditolak: NPWP");
    assert_non_null(strstr(m.text, "Dokumen NPWP milik PT Kabar & Co ditolak"));
    assert_non_null(strstr(m.text, "Alasan: Foto buram\r\nunggah ulang"));
    assert_non_null(strstr(m.text, "https://seklik.test/#/my"));
    assert_non_null(strstr(m.html, "PT Kabar &amp; Co"));
    dist_message_text_free(&m);
    v[0].value = "decision_awaiting";
    dist_kv w[] = {v[0], {"link", "/verification/x1"}, {"outcome", "OUTCOME_REJECTED"}};
    assert_int_equal(dist_compose_template("notice", "en", w, 3, &MC, &m, &vs), 0);
    assert_string_equal(m.subject, "Decision awaiting approval: your company");
    assert_non_null(strstr(m.text, "\"rejected\""));
    dist_message_text_free(&m);
}

static void notice_kinds_follow_the_roles(void **state)
{
    (void)state;
    const char *partner[] = {"partner"}, *verifier[] = {"verifier"}, *pr[] = {"pr"},
               *mixed[] = {"partnership", "head"};
    int kinds[DIST_NOTICE_KIND_MAX];
    /* a partner bound to a company: its company's matters; unbound: none */
    assert_int_equal(dist_notice_kinds_for(partner, 1, true, kinds), 5);
    assert_int_equal(kinds[0], DIST_NOTICE_DOCUMENT_REJECTED);
    assert_int_equal(dist_notice_kinds_for(partner, 1, false, kinds), 0);
    assert_false(dist_notice_concerns(DIST_NOTICE_DECISION_AWAITING, partner, 1, true));
    assert_int_equal(dist_notice_kinds_for(verifier, 1, false, kinds), 1);
    assert_int_equal(kinds[0], DIST_NOTICE_DECISION_AWAITING);
    assert_int_equal(dist_notice_kinds_for(pr, 1, false, kinds), 0);
    assert_int_equal(dist_notice_kinds_for(mixed, 2, false, kinds), 2);
    assert_int_equal(kinds[0], DIST_NOTICE_DECISION_AWAITING);
    assert_int_equal(kinds[1], DIST_NOTICE_OFFER_WAITING);
    assert_false(dist_notice_concerns(0, mixed, 2, false));
    assert_false(dist_notice_concerns(DIST_NOTICE_KIND_MAX + 1, mixed, 2, false));
    for (int k = 1; k <= DIST_NOTICE_KIND_MAX; k++)
        assert_int_equal(dist_notice_kind_parse(dist_notice_kind_name(k)), k);
    assert_int_equal(dist_notice_kind_parse("nothing"), 0);
    /* history older than the limit raises nothing */
    assert_true(dist_notice_fresh(1000, 1000 + DIST_NOTICE_MAX_AGE_S));
    assert_false(dist_notice_fresh(1000, 1001 + DIST_NOTICE_MAX_AGE_S));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_utf8_without_controls_and_counts_characters),
        cmocka_unit_test(email_addresses_that_could_inject_commands_are_refused),
        cmocka_unit_test(urls_are_http_with_a_host),
        cmocka_unit_test(rfc3339_times_parse_with_offsets),
        cmocka_unit_test(embargo_lifts_at_its_time_and_must_lie_ahead),
        cmocka_unit_test(a_draft_needs_a_title_and_a_sent_release_everything),
        cmocka_unit_test(files_are_known_by_their_bytes_and_images_by_their_size),
        cmocka_unit_test(file_names_are_safe_for_headers),
        cmocka_unit_test(retries_back_off_and_outcomes_follow_the_reply),
        cmocka_unit_test(only_active_partners_are_chosen),
        cmocka_unit_test(markdown_never_renders_raw_html_or_script_links),
        cmocka_unit_test(headers_are_encoded_and_cannot_be_split),
        cmocka_unit_test(the_mail_states_embargo_and_correction_plainly),
        cmocka_unit_test(sender_address_is_taken_from_the_from_setting),
        cmocka_unit_test(reset_template_links_to_the_users_page_in_its_language),
        cmocka_unit_test(template_values_are_checked_before_rendering),
        cmocka_unit_test(notice_mail_says_what_and_why_in_both_languages),
        cmocka_unit_test(notice_kinds_follow_the_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
