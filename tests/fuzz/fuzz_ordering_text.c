/* fuzz_ordering_text - the texts ordering takes from people and parses
 * itself: a proof's publication time (RFC 3339, from the partner), dates
 * (schedules, validity), and the year's number format (from an admin),
 * which is then used to number an order. Every answer must be consistent:
 * a parsed time round-trips through its WIB day, a valid format numbers
 * every order into a buffer of ORDERING_NUMBER_MAX, with the running number
 * and the year in it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ordering/domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char s[257];
    memcpy(s, data, size);
    s[size] = '\0';

    int64_t t = 0;
    if (ordering_parse_time(s, &t)) {
        int32_t day = ordering_wib_day(t);
        if ((int64_t)day * 86400 > t + 7 * 3600 || ((int64_t)day + 1) * 86400 <= t + 7 * 3600)
            abort();
    }
    int32_t d = 0;
    if (ordering_parse_date(s, &d) && strlen(s) != 10)
        abort();

    bool valid = ordering_number_format_valid(s);
    char out[ORDERING_NUMBER_MAX];
    uint32_t seq = size ? data[0] * 40503u + 1 : 1;
    int rc = ordering_format_number(out, sizeof(out), s, seq, 2027);
    if (!valid && rc == 0)
        abort();
    if (valid) {
        char digits[16];
        snprintf(digits, sizeof(digits), "%u", seq);
        /* 64 bytes of format, placeholders growing by at most 10 bytes each */
        if (rc != 0 || !strstr(out, "2027") || !strstr(out, digits))
            abort();
    }
    return 0;
}
