/* fuzz_distribution.c - distribution's decoders of outside input: the image
 * header reader (PNG IHDR, JPEG frame header), RFC 3339 times, e-mail
 * addresses from the registry's events, pick-up URLs, phone numbers, file
 * names, text checks, header encoding, Markdown rendering, and the values
 * other services hand QueueMail for its templates.
 *
 * Each input is read as file content and, up to its first NUL, as text.
 * Besides not crashing, the properties the service relies on are checked:
 * a parsed time formats and parses back to itself, an encoded header holds
 * no line break but folding, a safe file name no quote, slash or control,
 * rendered Markdown never holds a <script> element, and a rendered
 * template's subject holds no line break. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t w = 0, h = 0;
    dist_file_type t = dist_file_sniff(data, size, &w, &h);
    check(t != DIST_FILE_UNKNOWN || (w == 0 && h == 0));
    check(t != DIST_FILE_PNG || (w > 0 && h > 0 && w <= 0x7FFFFFFF && h <= 0x7FFFFFFF));
    check(t != DIST_FILE_JPEG || (w > 0 && h > 0 && w <= 0xFFFF && h <= 0xFFFF));
    const char *code = NULL;
    dist_file_acceptable(DIST_KIND_PHOTO, t, size, w, h, &code, NULL);
    dist_file_acceptable(DIST_KIND_ATTACHMENT, t, size, w, h, &code, NULL);

    size_t n = strnlen((const char *)data, size);
    char *s = malloc(n + 1);
    if (!s)
        return 0;
    memcpy(s, data, n);
    s[n] = '\0';

    int64_t when = 0, again = 0;
    if (dist_parse_time(s, &when)) {
        char out[21], wib[64];
        if (dist_format_time(when, out)) {
            check(dist_parse_time(out, &again));
            check(again == when);
        }
        dist_format_wib(when, wib, sizeof(wib));
    }
    if (dist_email_valid(s))
        check(!strpbrk(s, "\r\n <>\",;") && n <= DIST_EMAIL_MAX);
    if (dist_url_valid(s))
        check(!strpbrk(s, "\r\n <>\"") && (strncasecmp(s, "http", 4) == 0));
    dist_phone_valid(s);
    const char *why = NULL;
    dist_text_ok(s, 200, false, &why);
    dist_text_ok(s, 200, true, &why);
    dist_blank(s);

    char name[DIST_SHORT_MAX + 1];
    dist_safe_file_name(s, name, sizeof(name));
    check(name[0] != '\0' && !strpbrk(name, "\"\\/\r\n;"));

    char *hdr = dist_header_encode(s);
    if (hdr) {
        for (const char *p = hdr; *p; p++)
            check((*p != '\r' && *p != '\n') || (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') ||
                  (p[0] == '\n' && p > hdr && p[-1] == '\r'));
        free(hdr);
    }
    if (n <= 65536) {
        char *html = dist_render_markdown(s, n);
        if (html) {
            for (const char *p = html; (p = strchr(p, '<')) != NULL; p++)
                check(strncasecmp(p, "<script", 7) != 0);
            free(html);
        }
    }
    /* The input split at newlines into a template's values, key=value. */
    if (n <= 8192) {
        dist_kv kv[12];
        size_t nk = 0;
        char *save = NULL;
        for (char *line = strtok_r(s, "\n", &save); line && nk < 12;
             line = strtok_r(NULL, "\n", &save)) {
            char *eq = strchr(line, '=');
            if (eq)
                *eq = '\0';
            kv[nk++] = (dist_kv){line, eq ? eq + 1 : ""};
        }
        static const dist_mail_context mc = {"https://seklik.test", "Diskominfo"};
        const char *names[] = {"password_reset", "notice"};
        for (size_t t = 0; t < 2; t++) {
            dist_message_text m;
            dist_violations v = {0};
            if (dist_compose_template(names[t], size % 2 ? "en" : "id", kv, nk, &mc, &m, &v) ==
                0) {
                check(!strpbrk(m.subject, "\r\n"));
                check(strstr(m.html, "<script") == NULL);
                dist_message_text_free(&m);
            }
        }
    }
    free(s);
    return 0;
}
