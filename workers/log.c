/**
 * @file log.c
 * @brief JSON-lines logger.
 */
#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

pf_log_level_t pf_log_level_current = PF_LOG_INFO;

static const char *pf_log_names[] = {"debug", "info", "warn", "error", "off"};

int pf_log_set_level(const char *name) {
        for (int i = 0; i <= PF_LOG_OFF; i++) {
                if (strcasecmp(name, pf_log_names[i]) == 0) {
                        pf_log_level_current = (pf_log_level_t)i;
                        return 0;
                }
        }
        return -1;
}

/** Appends @p s to out as the body of a JSON string, escaping what JSON requires. */
static size_t log_escape(char *out, size_t cap, size_t pos, const char *s) {
        static const char hex[] = "0123456789abcdef";
        for (; *s && pos + 7 < cap; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\') {
                        out[pos++] = '\\';
                        out[pos++] = (char)c;
                } else if (c == '\n') {
                        out[pos++] = '\\';
                        out[pos++] = 'n';
                } else if (c < 0x20) {
                        memcpy(out + pos, "\\u00", 4);
                        out[pos + 4] = hex[c >> 4];
                        out[pos + 5] = hex[c & 15];
                        pos += 6;
                } else {
                        out[pos++] = (char)c;
                }
        }
        return pos;
}

void pf_log_write(pf_log_level_t level, const char *comp, const char *fmt, ...) {
        char msg[1024], line[2300];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        int n = snprintf(line, sizeof(line),
                         "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\","
                         "\"comp\":\"",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, ts.tv_nsec / 1000000, pf_log_names[level]);
        size_t pos = (size_t)n;
        pos = log_escape(line, sizeof(line), pos, comp);
        pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "\",\"msg\":\"");
        pos = log_escape(line, sizeof(line), pos, msg);
        pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "\"}\n");
        if (pos >= sizeof(line))
                pos = sizeof(line) - 1;
        fwrite(line, 1, pos, stderr);
}
