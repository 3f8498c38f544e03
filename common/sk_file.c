#include "sk_file.h"

#include <string.h>

sk_file_kind sk_file_kind_sniff(const uint8_t *data, size_t len)
{
    static const uint8_t PDF[] = {'%', 'P', 'D', 'F', '-'};
    static const uint8_t JPEG[] = {0xFF, 0xD8, 0xFF};
    static const uint8_t PNG[] = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};
    if (!data)
        return SK_FILE_UNKNOWN;
    if (len >= sizeof PDF && memcmp(data, PDF, sizeof PDF) == 0)
        return SK_FILE_PDF;
    if (len >= sizeof JPEG && memcmp(data, JPEG, sizeof JPEG) == 0)
        return SK_FILE_JPEG;
    if (len >= sizeof PNG && memcmp(data, PNG, sizeof PNG) == 0)
        return SK_FILE_PNG;
    return SK_FILE_UNKNOWN;
}

const char *sk_file_kind_mime(sk_file_kind k)
{
    switch (k) {
    case SK_FILE_PDF: return "application/pdf";
    case SK_FILE_JPEG: return "image/jpeg";
    case SK_FILE_PNG: return "image/png";
    case SK_FILE_UNKNOWN: break;
    }
    return NULL;
}

bool sk_file_size_ok(size_t len, size_t max)
{
    return len > 0 && len <= max;
}
