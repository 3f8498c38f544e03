/* domain.h - distribution rules, pure: no I/O, no globals.
 *
 * Strings are NUL-terminated UTF-8; a NULL string is treated as empty.
 * Times are Unix seconds (UTC). Violations carry the API's field path, a
 * stable code ("required", "too_long", "email.invalid", ...) and an English
 * text with the limit in it ("at most 200 characters") for logs and API
 * users: the UI's catalogues (web/src/i18n/codes.*.js) turn the code into
 * words. The few functions that allocate
 * (Markdown rendering, message composition: compose.c) say so; the caller
 * frees with free(). */
#ifndef DISTRIBUTION_DOMAIN_H
#define DISTRIBUTION_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- violations ---- */

#define DIST_MAX_VIOLATIONS 32

typedef struct dist_violation {
    char field[96];    /* "content.title" */
    char code[48];     /* "required" */
    char english[128]; /* "at most 200 characters" */
} dist_violation;

typedef struct dist_violations {
    dist_violation items[DIST_MAX_VIOLATIONS];
    size_t n;
} dist_violations;

/* Append one; false when full (the first DIST_MAX_VIOLATIONS are kept). */
bool dist_violation_add(dist_violations *v, const char *field, const char *code,
                        const char *english);

/* A code chosen here and given out later (dist_text_ok's, dist_file_acceptable's):
 * the web UI's catalogue test reads DIST_CODE("...") literals. */
#define DIST_CODE(code) code

/* ---- limits ---- */

#define DIST_TITLE_MAX 200          /* characters */
#define DIST_LEAD_MAX 1000          /* characters */
#define DIST_BODY_MAX 100000        /* characters of Markdown */
#define DIST_NOTE_MAX 1000          /* characters */
#define DIST_SHORT_MAX 200          /* names, roles, places, captions, file names */
#define DIST_PHONE_MAX 32
#define DIST_EMAIL_MAX 254
#define DIST_URL_MAX 2000
#define DIST_PHOTO_MAX_BYTES (5u * 1024 * 1024)
#define DIST_ATTACHMENT_MAX_BYTES (10u * 1024 * 1024)
#define DIST_RELEASE_FILES_MAX_BYTES (12u * 1024 * 1024) /* all files of one release */
#define DIST_RELEASE_FILES_MAX 20
#define DIST_IMAGE_MAX_SIDE 8000     /* pixels */
#define DIST_CHOSEN_MAX 1000         /* companies in a CHOSEN selection */
#define DIST_CATEGORY_MAX 9          /* seklik.distribution.Category */

/* ---- text ---- */

/* Valid UTF-8 of at most `max_chars` code points and no control characters
 * other than, when `multiline`, tab, CR and LF. `reason` (if not NULL) gets
 * the code "too_long" or "text.invalid" when false. */
bool dist_text_ok(const char *s, size_t max_chars, bool multiline, const char **reason);

/* Add the violation of dist_text_ok's `code` for `field`, its English text
 * stating the limit `max_chars` ("at most 200 characters"). */
void dist_text_violation(dist_violations *v, const char *field, const char *code, size_t max_chars);

/* True when `s` is blank (NULL, empty or only spaces, tabs and line ends). */
bool dist_blank(const char *s);

/* An e-mail address we will put in RCPT TO and a To: header: one '@', a
 * local part of printable ASCII without spaces, quotes, brackets, commas or
 * semicolons, a domain of letters, digits, '-' and '.' with a dot inside,
 * 254 characters at most. Anything else (a CR or LF above all: SMTP command
 * injection) is refused. */
bool dist_email_valid(const char *s);

/* An http:// or https:// URL with a host, no spaces or control characters,
 * DIST_URL_MAX characters at most. */
bool dist_url_valid(const char *s);

/* A phone number: digits, spaces and + - ( ) . only, 6..32 characters. */
bool dist_phone_valid(const char *s);

/* ---- time ---- */

/* Parse RFC 3339: "YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|+HH:MM|-HH:MM)" ('t',
 * 'z' and a space for 'T' are accepted) into Unix seconds, fraction dropped.
 * Years 1970..9999; refuses impossible dates and times, other layouts and
 * trailing text. */
bool dist_parse_time(const char *s, int64_t *out);

/* "2027-01-10T02:00:00Z" into `out` (21 bytes); false outside years 1970..9999. */
bool dist_format_time(int64_t t, char out[static 21]);

/* The same instant in WIB (UTC+7) for people: "10 Januari 2027 pukul 09.00 WIB"
 * (Indonesian month names) into `out`. */
bool dist_format_wib(int64_t t, char *out, size_t cap);

/* A release under embargo may be delivered (and read) only from its embargo
 * time on; 0 means no embargo. */
bool distribution_embargo_lifted(int64_t embargo_until, int64_t now);

/* An embargo chosen at `now` must lie at least DIST_EMBARGO_MIN_S ahead (so
 * that it is still ahead when the schedule commits) and within 366 days. */
#define DIST_EMBARGO_MIN_S 5
bool dist_embargo_acceptable(int64_t embargo_until, int64_t now);

/* ---- release content ---- */

typedef struct dist_release_input {
    const char *title, *lead, *body_markdown;
    int category;
    const char *contact_name, *contact_role, *contact_phone, *contact_email;
    const char *agenda_title, *agenda_starts_at, *agenda_place;
} dist_release_input;

/* Check `in`, naming fields under `prefix` ("content"): lengths and text,
 * a known category, a valid phone and e-mail when given, an agenda time that
 * parses. With `complete` (what is sent must be) also: a body, a category,
 * and a contact with a name and a phone or an e-mail; a draft needs only its
 * title. Adds every problem; true when none. */
bool dist_release_input_check(const dist_release_input *in, const char *prefix, bool complete,
                              dist_violations *v);

/* ---- files ---- */

typedef enum {
    DIST_FILE_UNKNOWN,
    DIST_FILE_PDF,
    DIST_FILE_JPEG,
    DIST_FILE_PNG,
} dist_file_type;

/* What the content is, by its bytes (never its name), with an image's size:
 * PDF ("%PDF-"), PNG (signature, then the IHDR chunk's width and height),
 * JPEG (SOI, then segments up to the first SOFn frame header's size).
 * An image whose header cannot be read to its size is UNKNOWN. Reads at most
 * `len` bytes of `data`; *width and *height are 0 for a PDF. */
dist_file_type dist_file_sniff(const uint8_t *data, size_t len, uint32_t *width,
                               uint32_t *height);

/* "application/pdf", "image/jpeg", "image/png"; NULL for UNKNOWN. */
const char *dist_file_mime(dist_file_type t);

enum { DIST_KIND_PHOTO = 1, DIST_KIND_ATTACHMENT = 2 }; /* seklik.distribution.FileKind */

/* May content of `type` (sniffed), `len` bytes and width x height be a file
 * of `kind` (DIST_KIND_*)? A photo is a JPEG or PNG of at most
 * DIST_PHOTO_MAX_BYTES and DIST_IMAGE_MAX_SIDE pixels a side; an attachment a
 * PDF, JPEG or PNG of at most DIST_ATTACHMENT_MAX_BYTES. On false, *code is
 * "required" (empty), "too_large", "file.not_image", "file.type",
 * "image.too_large" or "unknown_value" (the kind), and *english (if not NULL)
 * its English text with the limit in it; both static. */
bool dist_file_acceptable(int kind, dist_file_type type, size_t len, uint32_t width,
                          uint32_t height, const char **code, const char **english);

/* A file name safe to put in a MIME header and a download: its last path
 * component, with characters outside printable ASCII, quotes, backslashes and
 * controls replaced by '_', at most DIST_SHORT_MAX bytes; "file" when nothing
 * is left. Writes into `out` (cap > 8). */
void dist_safe_file_name(const char *in, char *out, size_t cap);

/* ---- delivery ---- */

/* Seconds to wait before attempt `attempts + 1` after `attempts` failed
 * ones (attempts >= 1): base * 2^(attempts - 1), at most max_s. */
int64_t dist_retry_delay_s(int attempts, int64_t base_s, int64_t max_s);

typedef enum {
    DIST_OUTCOME_SENT,      /* the relay answered 250 to the end of data */
    DIST_OUTCOME_RETRY,     /* try again later (network, 4xx, no answer) */
    DIST_OUTCOME_BOUNCED,   /* the relay refused the recipient for good (5xx to RCPT) */
    DIST_OUTCOME_FAILED,    /* refused for good otherwise (5xx to MAIL or the data) */
} dist_outcome;

typedef enum {
    DIST_PHASE_CONNECT,     /* before MAIL FROM: greeting, EHLO, STARTTLS, AUTH */
    DIST_PHASE_MAIL,
    DIST_PHASE_RCPT,
    DIST_PHASE_DATA,        /* DATA and the message itself */
} dist_smtp_phase;

/* What one attempt's result means. `ok` is the transfer's success, `phase`
 * the last command sent, `code` the relay's last reply code (0 = none).
 * Connection-level trouble and 4xx are retried; a 5xx to RCPT bounces; a 5xx
 * to MAIL FROM or the data fails; 5xx before MAIL (AUTH refused) is the
 * relay's configuration, retried. */
dist_outcome dist_classify(bool ok, dist_smtp_phase phase, int code);

/* Whether a retry is left: `attempts` counts the one that just failed. */
bool dist_may_retry(int attempts, int max_attempts);

/* ---- recipients ---- */

/* A company receives releases only while it is a verified partner: verified,
 * not suspended, and its verification valid on `today` (days since the
 * epoch, WIB; valid_until < 0 = no end known). */
bool dist_partner_active(bool verified, bool suspended, int32_t valid_until, int32_t today);

/* What a company is, for choosing recipients. */
typedef struct dist_outlet_fact {
    int type;          /* seklik.registry.OutletType */
    int tier;          /* seklik.scoring.Tier of the selection's year */
    bool tier_known;
} dist_outlet_fact;

enum { DIST_MODE_ALL = 1, DIST_MODE_FILTER = 2, DIST_MODE_CHOSEN = 3 }; /* RecipientMode */

typedef struct dist_selection {
    int mode;
    const int *tiers;  /* FILTER: any of these; none = any tier */
    size_t n_tiers;
    const int *types;  /* FILTER: any of these; none = any type */
    size_t n_types;
} dist_selection;

/* Does the outlet match a FILTER selection? With tiers given, an outlet whose
 * tier is not known does not. ALL and CHOSEN match every outlet. */
bool dist_outlet_selected(const dist_selection *s, const dist_outlet_fact *o);

/* Is a company a recipient? It must be an active partner
 * (dist_partner_active); then ALL takes it, CHOSEN when `chosen`, FILTER
 * when one of its outlets matches. */
bool dist_company_selected(const dist_selection *s, bool active, bool chosen,
                           const dist_outlet_fact *outlets, size_t n_outlets);

/* Check a selection as the API gives it, naming fields under `prefix`
 * ("recipients"): a known mode; for FILTER, known tiers (0..3) and outlet
 * types (1..4) and a fiscal year in 2000..2100 when tiers are given; for
 * CHOSEN, 1..DIST_CHOSEN_MAX companies (the ids' form is the caller's). */
bool dist_selection_check(int mode, const int *tiers, size_t n_tiers, const int *types,
                          size_t n_types, int fiscal_year, size_t n_companies,
                          const char *prefix, dist_violations *v);

/* ---- composition (compose.c; these allocate) ---- */

/* CommonMark -> HTML with libcmark, raw HTML and unsafe links (javascript:,
 * vbscript:, file:, data: other than images) omitted, "smart" punctuation
 * off. malloc'ed; NULL on out of memory. */
char *dist_render_markdown(const char *md, size_t len);

/* `s` with &, <, >, " and ' escaped for HTML text and attributes; malloc'ed. */
char *dist_html_escape(const char *s);

/* A header value as RFC 2047 encoded words when it is not plain printable
 * ASCII ("=?UTF-8?B?...?="), each word at most 75 characters and words
 * folded with CRLF SPACE. Plain ASCII comes back as is, with CR and LF
 * removed. malloc'ed; NULL on out of memory. */
char *dist_header_encode(const char *s);

typedef struct dist_message_text {
    char *subject, *text, *html;  /* malloc'ed; free with dist_message_text_free */
} dist_message_text;

void dist_message_text_free(dist_message_text *m);

/* What a release's e-mail says. */
typedef struct dist_release_view {
    dist_release_input in;
    const char *body_html;        /* rendered from in.body_markdown */
    const char *category_label;   /* "Pemerintahan" */
    int64_t embargo_until;        /* 0 = none */
    int version;
    const char *correction_note;  /* a correction's reason, "" otherwise */
    const char *sender_name;      /* the office ("Diskominfo"), may be "" */
    const char *const *file_names; /* attached files, for the list in the text */
    size_t n_files;
} dist_release_view;

/* Subject, plain text (the Markdown itself: it reads as text) and a small
 * HTML page for a release or, when version > 1, its correction ("RALAT: ").
 * The embargo is stated plainly at the top of both. SK-style codes: 0, or
 * -1 on out of memory (nothing to free then). */
int dist_compose_release(const dist_release_view *r, dist_message_text *out);

/* Indonesian label of a Category value ("" outside the enum). */
const char *dist_category_label(int category);

/* ---- notices: what a user must act on ---- */

enum { /* seklik.distribution.NoticeKind */
    DIST_NOTICE_DOCUMENT_REJECTED = 1,
    DIST_NOTICE_DECISION_AWAITING = 2,
    DIST_NOTICE_OFFER_WAITING = 3,
    DIST_NOTICE_PROOF_REJECTED = 4,
    DIST_NOTICE_INVOICE_RETURNED = 5,
    DIST_NOTICE_INVOICE_PAID = 6,
};
#define DIST_NOTICE_KIND_MAX 6

/* "document_rejected", ...; NULL outside 1..DIST_NOTICE_KIND_MAX. */
const char *dist_notice_kind_name(int kind);
/* The kind for a name; 0 when unknown. */
int dist_notice_kind_parse(const char *name);

/* Does `kind` concern an account with `roles`? A partner's kinds reach only
 * a partner bound to a company (`has_company`): a rejected document, an
 * offer, a rejected proof, an invoice returned or paid. A decision waiting
 * for its second person concerns verifiers, heads and admins (those who may
 * approve one); a counter-offer waiting, the partnership staff. */
bool dist_notice_concerns(int kind, const char *const *roles, size_t n_roles, bool has_company);

/* The kinds that concern the account, in order, into `kinds` (capacity
 * DIST_NOTICE_KIND_MAX); returns how many. */
size_t dist_notice_kinds_for(const char *const *roles, size_t n_roles, bool has_company,
                             int kinds[DIST_NOTICE_KIND_MAX]);

/* An event that happened more than this long before it is applied raises
 * no notice: a service catching up on a year of history (a first start, a
 * restore) must not flood inboxes with matters long settled. */
#define DIST_NOTICE_MAX_AGE_S (14 * 86400)
bool dist_notice_fresh(int64_t occurred_unix_s, int64_t now);

/* ---- templates: mail for the rest of the system (compose.c) ---- */

typedef struct dist_kv {
    const char *key, *value;
} dist_kv;

typedef struct dist_mail_context {
    const char *portal_url;  /* "https://seklik.example.go.id", no trailing slash */
    const char *sender_name; /* signs the e-mail; may be "" */
} dist_mail_context;

/* Is `name` one of the templates below? */
bool dist_template_known(const char *name);

/* Render template `name` in `locale` ("en" is English, anything else
 * Indonesian) with `values`, after checking them: every key the template's,
 * each once, the required ones present, each of its shape. Templates:
 *   password_reset  user (UUID), token (43 base64url), minutes (1..1440),
 *                   name (optional): a link <portal>/#/reset?u=<user>&t=<token>
 *   notice          kind (a notice kind's name), link (a portal route "/..."),
 *                   name, companyName, documentType (DOCUMENT_TYPE_*),
 *                   reason, outcome (OUTCOME_*), number: all optional
 * Values are escaped in the HTML; text values are single lines (a reason may
 * have several), so nothing reaches a header but what was checked. 0 with
 * `out` filled (free with dist_message_text_free); -1 with violations in
 * `v` ("templateName" unknown, "values[i].key" unknown or duplicate,
 * "values[i].value" or "values.<key>" required or invalid), or with none on
 * out of memory. */
int dist_compose_template(const char *name, const char *locale, const dist_kv *values, size_t n,
                          const dist_mail_context *ctx, dist_message_text *out,
                          dist_violations *v);

#endif
