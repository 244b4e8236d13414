#include "base/timefmt.h"

#include "base/err.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool timefmt_is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int timefmt_days_in_month(int64_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && timefmt_is_leap_year(year))
        return 29;
    return days[month - 1];
}

/* Eras of 400 years (146097 days) make the Gregorian cycle exact; March-based years put the leap
 * day last so the day-of-year formula needs no table. */
int64_t timefmt_days_from_civil(struct civil_date d)
{
    int64_t y = d.year - (d.month <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = (d.month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct civil_date timefmt_civil_from_days(int64_t z)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int day = (int)(doy - (153 * mp + 2) / 5 + 1);
    int month = (int)(mp < 10 ? mp + 3 : mp - 9);
    return (struct civil_date){yoe + era * 400 + (month <= 2), month, day};
}

int timefmt_weekday_from_days(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static void put_digits(char *out, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void timefmt_iso8601(int64_t t, char out[TIMEFMT_ISO_LEN + 1])
{
    const int64_t min = -62167219200LL;   /* 0000-01-01T00:00:00Z */
    const int64_t max = 253402300799LL;   /* 9999-12-31T23:59:59Z */
    if (t < min)
        t = min;
    if (t > max)
        t = max;
    int64_t days = floor_div(t, 86400);
    int64_t secs = t - days * 86400;
    struct civil_date d = timefmt_civil_from_days(days);
    put_digits(out, d.year, 4);
    out[4] = '-';
    put_digits(out + 5, d.month, 2);
    out[7] = '-';
    put_digits(out + 8, d.day, 2);
    out[10] = 'T';
    put_digits(out + 11, secs / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, secs / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, secs % 60, 2);
    out[19] = 'Z';
    out[20] = '\0';
}

void timefmt_iso8601_ms(int64_t unix_ns, char out[TIMEFMT_ISO_MS_LEN + 1])
{
    /* Truncating division and remainder never overflow; then floor them by hand. */
    int64_t secs = unix_ns / 1000000000LL;
    int64_t rem = unix_ns % 1000000000LL;
    if (rem < 0) {
        secs -= 1;
        rem += 1000000000LL;
    }
    int64_t ms = rem / 1000000;
    char base[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(secs, base);
    for (int i = 0; i < 19; i++)
        out[i] = base[i];
    out[19] = '.';
    put_digits(out + 20, ms, 3);
    out[23] = 'Z';
    out[24] = '\0';
}

/* Read exactly n decimal digits. */
static bool read_num(const char *s, size_t len, size_t *pos, int n, int64_t *out)
{
    if (*pos + (size_t)n > len)
        return false;
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        char c = s[*pos + (size_t)i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)n;
    *out = v;
    return true;
}

static bool expect(const char *s, size_t len, size_t *pos, char c)
{
    if (*pos >= len || s[*pos] != c)
        return false;
    (*pos)++;
    return true;
}

int timefmt_parse_iso8601(const char *s, size_t len, int64_t *out)
{
    size_t p = 0;
    int64_t y, mo, d, h, mi, se;
    if (!read_num(s, len, &p, 4, &y) || !expect(s, len, &p, '-') || !read_num(s, len, &p, 2, &mo) ||
        !expect(s, len, &p, '-') || !read_num(s, len, &p, 2, &d))
        return ERR_INVALID;
    if (p >= len || (s[p] != 'T' && s[p] != 't' && s[p] != ' '))
        return ERR_INVALID;
    p++;
    if (!read_num(s, len, &p, 2, &h) || !expect(s, len, &p, ':') || !read_num(s, len, &p, 2, &mi) ||
        !expect(s, len, &p, ':') || !read_num(s, len, &p, 2, &se))
        return ERR_INVALID;
    if (mo < 1 || mo > 12 || d < 1 || d > timefmt_days_in_month(y, (int)mo) || h > 23 || mi > 59 ||
        se > 59)
        return ERR_INVALID;
    if (p < len && s[p] == '.') {
        p++;
        size_t digits = 0;
        while (p < len && s[p] >= '0' && s[p] <= '9') {
            p++;
            digits++;
        }
        if (!digits)
            return ERR_INVALID;
    }
    int64_t offset = 0;
    if (p < len && (s[p] == 'Z' || s[p] == 'z')) {
        p++;
    } else if (p < len && (s[p] == '+' || s[p] == '-')) {
        int sign = s[p] == '-' ? -1 : 1;
        p++;
        int64_t oh, om;
        if (!read_num(s, len, &p, 2, &oh) || !expect(s, len, &p, ':') ||
            !read_num(s, len, &p, 2, &om) || oh > 23 || om > 59)
            return ERR_INVALID;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return ERR_INVALID;
    }
    if (p != len)
        return ERR_INVALID;
    int64_t days = timefmt_days_from_civil((struct civil_date){y, (int)mo, (int)d});
    *out = days * 86400 + h * 3600 + mi * 60 + se - offset;
    return 0;
}
