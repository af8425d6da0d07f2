/**
 * @file bench_core.h
 * @brief `paxflow bench core`: events/s of the whole pipeline on one core, without Kafka.
 */
#ifndef PF_BENCH_CORE_H
#define PF_BENCH_CORE_H

#include <stddef.h>

/**
 * @brief Runs every event of @p events_path (a paxflow event file) through both stages with a
 *        synthetic watchlist of @p names names and @p travellers prefilled histories, and prints
 *        events/s and ns/event per stage as Markdown. @p rules_path NULL: the built-in rules.
 *        @p limit: only the first so many events (0: all).
 * @returns the exit status.
 */
int pf_bench_core(const char *events_path, size_t names, size_t travellers, const char *rules_path,
                  size_t limit, size_t cache_mb);

#endif /* PF_BENCH_CORE_H */
