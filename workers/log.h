/**
 * @file log.h
 * @brief JSON-lines logging on stderr: {"ts":...,"level":...,"comp":...,"msg":...}.
 *
 * The level is checked before anything is formatted. Never pass personal data (names, document
 * numbers, phones, e-mails) to these functions: log counts, codes, offsets and pseudonymous refs.
 * Thread-safe: each line is written with one fwrite under stdio's own lock.
 */
#ifndef PF_LOG_H
#define PF_LOG_H

typedef enum {
        PF_LOG_DEBUG = 0,
        PF_LOG_INFO,
        PF_LOG_WARN,
        PF_LOG_ERROR,
        PF_LOG_OFF
} pf_log_level_t;

extern pf_log_level_t pf_log_level_current;

/** @brief Sets the minimum level; parses "debug", "info", "warn", "error", "off". @returns 0 or -1.
 */
int pf_log_set_level(const char *name);

void pf_log_write(pf_log_level_t level, const char *comp, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define pf_log(level, comp, ...)                                                                   \
        do {                                                                                       \
                if ((level) >= pf_log_level_current)                                               \
                        pf_log_write((level), (comp), __VA_ARGS__);                                \
        } while (0)

#define pf_log_debug(comp, ...) pf_log(PF_LOG_DEBUG, comp, __VA_ARGS__)
#define pf_log_info(comp, ...)  pf_log(PF_LOG_INFO, comp, __VA_ARGS__)
#define pf_log_warn(comp, ...)  pf_log(PF_LOG_WARN, comp, __VA_ARGS__)
#define pf_log_error(comp, ...) pf_log(PF_LOG_ERROR, comp, __VA_ARGS__)

#endif /* PF_LOG_H */
