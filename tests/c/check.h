/*
 * The little harness the C tests share: counted checks, a closing line CI
 * reads ("N passed, M failed"), waits on the pull queue with a generous
 * deadline (never a sleep), and counters of open descriptors and threads.
 *
 * Include it first: it asks for POSIX before any system header.
 */
#ifndef DGP_TEST_CHECK_H
#define DGP_TEST_CHECK_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dgphone_sim.h" /* includes dgphone.h */

/* Generous: a wait only takes this long when something is broken. */
#define WAIT_MS 10000u

static int check_passed;
static int check_failed;

static inline void check_at(int ok, const char *what, const char *file, int line) {
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
}

#define CHECK(cond) check_at((cond) != 0, #cond, __FILE__, __LINE__)

/* Checks a result code; on a mismatch shows both codes and this thread's
 * detailed message (the one error channel, whatever the handle). */
static inline void check_rc_at(dgp_result got, dgp_result want, const char *what,
                               const char *file, int line) {
    char message[512] = "";
    if (got == want) {
        check_passed++;
        return;
    }
    check_failed++;
    dgp_last_error(message, sizeof message, NULL);
    fprintf(stderr, "FAIL %s:%d: %s\n  returned %u (%s), expected %u (%s)\n  last error: %s\n", file, line, what,
            got, dgp_result_str(got), want, dgp_result_str(want), message);
}

#define CHECK_RC(call, want) check_rc_at((call), (want), #call, __FILE__, __LINE__)

/* The message of this thread's last failed simulator call, in a static
 * buffer: for the main thread only. */
static inline const char *sim_last_error(void) {
    static char message[512];
    message[0] = '\0';
    dgp_sim_last_error(message, sizeof message, NULL);
    return message;
}

/* CHECK_RC for simulator calls, whose messages libdgphone_sim keeps. */
static inline void check_sim_at(dgp_result got, dgp_result want, const char *what, const char *file, int line) {
    if (got == want) {
        check_passed++;
        return;
    }
    check_failed++;
    fprintf(stderr, "FAIL %s:%d: %s\n  returned %u (%s), expected %u (%s)\n  last error: %s\n", file, line, what,
            got, dgp_result_str(got), want, dgp_result_str(want), sim_last_error());
}

#define CHECK_SIM(call, want) check_sim_at((call), (want), #call, __FILE__, __LINE__)

static inline void check_str_at(const char *got, const char *want, const char *what, const char *file, int line) {
    int same = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;
    if (same) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n  got \"%s\", expected \"%s\"\n", file, line, what,
                got ? got : "(NULL)", want ? want : "(NULL)");
    }
}

/* NULL-safe: two NULLs are equal, NULL and a string are not. */
#define CHECK_STR(got, want) check_str_at((got), (want), #got " == " #want, __FILE__, __LINE__)

/* True when `text` holds `part`; a NULL text holds nothing. */
static inline int contains(const char *text, const char *part) {
    return text != NULL && strstr(text, part) != NULL;
}

/* The detailed message of this thread's last failure, in a static buffer:
 * for the main thread only. */
static inline const char *last_error(void) {
    static char message[512];
    message[0] = '\0';
    dgp_last_error(message, sizeof message, NULL);
    return message;
}

/* The closing line CI reads; the exit status of the program. */
static inline int check_finish(void) {
    printf("%d passed, %d failed\n", check_passed, check_failed);
    fflush(stdout);
    return check_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Setup that the rest of a test cannot do without: stop at once. */
static inline void require_at(int ok, const char *what, const char *file, int line) {
    if (!ok) {
        fprintf(stderr, "FATAL %s:%d: %s (last error: %s; simulator: %s)\n", file, line, what, last_error(),
                sim_last_error());
        printf("%d passed, %d failed\n", check_passed, check_failed + 1);
        exit(EXIT_FAILURE);
    }
}

#define REQUIRE(cond) require_at((cond) != 0, #cond, __FILE__, __LINE__)

static inline long long now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* A simulator on a free loopback port (config NULL: the defaults). */
static inline dgp_sim *start_sim(const dgp_sim_config *config) {
    dgp_sim *sim = NULL;
    REQUIRE(dgp_sim_start(config, NULL, 0, &sim) == DGP_OK);
    REQUIRE(dgp_sim_port(sim) != 0);
    return sim;
}

/* A simulator whose Login answer follows `policy` (DGP_SIM_LOGIN_*). */
static inline dgp_sim *start_sim_with_login(uint32_t policy, const char *message) {
    dgp_sim_config *config = dgp_sim_config_new();
    dgp_sim *sim;
    REQUIRE(config != NULL);
    REQUIRE(dgp_sim_config_set_login(config, policy, message) == DGP_OK);
    sim = start_sim(config);
    dgp_sim_config_free(config);
    return sim;
}

static inline dgp_client *new_client(const dgp_options *options) {
    dgp_client *client = NULL;
    REQUIRE(dgp_client_new(options, &client) == DGP_OK);
    REQUIRE(client != NULL);
    return client;
}

/* Pulls events until one of `kind` comes (on `line`, unless 0). The caller
 * frees it. NULL when none came in WAIT_MS; the kinds seen are shown. */
static inline dgp_event *wait_event(dgp_client *client, uint32_t kind, int32_t line) {
    long long deadline = now_ms() + WAIT_MS;
    char seen[512] = "";
    size_t used = 0;
    for (;;) {
        dgp_event *event = NULL;
        long long left = deadline - now_ms();
        if (left <= 0 || dgp_next_event(client, (uint32_t)left, &event) != DGP_OK) {
            break;
        }
        if (dgp_event_kind(event) == kind && (line == 0 || dgp_event_line(event) == line)) {
            return event;
        }
        if (used + 16 < sizeof seen) {
            used += (size_t)snprintf(seen + used, sizeof seen - used, " %u/%d", dgp_event_kind(event),
                                     dgp_event_line(event));
        }
        dgp_event_free(event);
    }
    fprintf(stderr, "  no event %u on line %d within %u ms; saw (kind/line):%s\n", kind, line, WAIT_MS, seen);
    return NULL;
}

/* Waits for an event of `kind` (on `line`, unless 0), counted as a check. */
#define EXPECT_EVENT(client, kind, line) expect_event_at((client), (kind), (line), #kind, __FILE__, __LINE__)

static inline int expect_event_at(dgp_client *client, uint32_t kind, int32_t line, const char *what,
                                  const char *file, int src_line) {
    dgp_event *event = wait_event(client, kind, line);
    check_at(event != NULL, what, file, src_line);
    dgp_event_free(event);
    return event != NULL;
}

/* Takes whatever is queued, without waiting. */
static inline void drain(dgp_client *client) {
    dgp_event *event = NULL;
    while (dgp_next_event(client, 0, &event) == DGP_OK) {
        dgp_event_free(event);
    }
}

/* A client connected to `sim` and logged in as `user`, its queue taken up
 * to LoggedIn so a test's own waits start from a quiet queue. */
static inline dgp_client *logged_in_client(dgp_sim *sim, const dgp_options *options, const char *user) {
    dgp_client *client = new_client(options);
    dgp_event *event;
    REQUIRE(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)) == DGP_OK);
    REQUIRE(dgp_login(client, user) == DGP_OK);
    event = wait_event(client, DGP_EVENT_LOGGED_IN, 0);
    REQUIRE(event != NULL);
    dgp_event_free(event);
    return client;
}

/* Entries of a /proc directory (the directory's own descriptor included,
 * the same way every time); -1 if it cannot be read. */
static inline int count_entries(const char *path) {
    DIR *dir = opendir(path);
    struct dirent *entry;
    int count = 0;
    if (dir == NULL) {
        return -1;
    }
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
            count++;
        }
    }
    closedir(dir);
    return count;
}

static inline int open_fds(void) { return count_entries("/proc/self/fd"); }

/* The kernel's "this task is exiting" flag (PF_EXITING, linux/sched.h). */
#define TASK_EXITING 0x00000004u

/* Threads of this process named `name` (NULL: all), not counting those that
 * are exiting: pthread_join returns once a thread has let go of its stack,
 * a moment before the kernel drops it from /proc/self/task, so a joined
 * thread may still be listed there, with PF_EXITING set. */
static inline int live_threads(const char *name) {
    DIR *dir = opendir("/proc/self/task");
    struct dirent *entry;
    int count = 0;
    if (dir == NULL) {
        return -1;
    }
    while ((entry = readdir(dir)) != NULL) {
        char path[300];
        char stat[512] = "";
        const char *open_paren, *close_paren;
        unsigned flags = 0;
        char state;
        FILE *file;
        if (entry->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", entry->d_name);
        file = fopen(path, "r");
        if (file == NULL) {
            continue; /* gone while we looked */
        }
        if (fgets(stat, sizeof stat, file) == NULL) {
            stat[0] = '\0';
        }
        fclose(file);
        /* "tid (name) state ppid pgrp session tty tpgid flags ...": the
         * name may hold anything, so it ends at the last ')'. */
        open_paren = strchr(stat, '(');
        close_paren = strrchr(stat, ')');
        if (open_paren == NULL || close_paren == NULL ||
            sscanf(close_paren + 1, " %c %*d %*d %*d %*d %*d %u", &state, &flags) != 2) {
            continue;
        }
        if (flags & TASK_EXITING) {
            continue;
        }
        if (name == NULL ||
            ((size_t)(close_paren - open_paren - 1) == strlen(name) && strncmp(open_paren + 1, name, strlen(name)) == 0)) {
            count++;
        }
    }
    closedir(dir);
    return count;
}

#endif /* DGP_TEST_CHECK_H */
