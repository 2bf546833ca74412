/*
 * The harness of the Windows C tests (built with mingw-w64, run under
 * Wine): counted checks and the closing line CI reads ("N passed, M
 * failed"), as tests/c/check.h, but on Win32 alone: time from
 * GetTickCount64, waits on CONDITION_VARIABLEs, handle and thread counts
 * of this process. No POSIX and no pthreads, as a Windows host has none.
 */
#ifndef DGP_WINDOWS_CHECK_H
#define DGP_WINDOWS_CHECK_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
/* CONDITION_VARIABLE and GetTickCount64 are Vista's: the floor is Windows 7. */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601
#endif
#include <windows.h>
#include <tlhelp32.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The message of this thread's last failed call (one channel, whatever
 * the handle). */
static inline const char *last_error(void) {
    static char message[512];
    message[0] = '\0';
    dgp_last_error(message, sizeof message, NULL);
    return message;
}

static inline const char *sim_last_error(void) {
    static char message[512];
    message[0] = '\0';
    dgp_sim_last_error(message, sizeof message, NULL);
    return message;
}

static void check_rc_at(dgp_result got, dgp_result want, const char *what, const char *file, int line) {
    if (got == want) {
        check_passed++;
        return;
    }
    check_failed++;
    fprintf(stderr, "FAIL %s:%d: %s\n  returned %u (%s), expected %u (%s)\n  last error: %s\n", file, line, what,
            (unsigned)got, dgp_result_str(got), (unsigned)want, dgp_result_str(want), last_error());
}

#define CHECK_RC(call, want) check_rc_at((call), (want), #call, __FILE__, __LINE__)

static inline int contains(const char *text, const char *part) {
    return text != NULL && strstr(text, part) != NULL;
}

static inline int check_finish(void) {
    printf("%d passed, %d failed\n", check_passed, check_failed);
    fflush(stdout);
    return check_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Setup the rest cannot do without: stop at once. */
static inline void require_at(int ok, const char *what, const char *file, int line) {
    if (!ok) {
        fprintf(stderr, "FATAL %s:%d: %s (last error: %s; simulator: %s)\n", file, line, what, last_error(),
                sim_last_error());
        printf("%d passed, %d failed\n", check_passed, check_failed + 1);
        exit(EXIT_FAILURE);
    }
}

#define REQUIRE(cond) require_at((cond) != 0, #cond, __FILE__, __LINE__)

static inline dgp_sim *start_sim(void) {
    dgp_sim *sim = NULL;
    REQUIRE(dgp_sim_start(NULL, NULL, 0, &sim) == DGP_OK);
    REQUIRE(dgp_sim_port(sim) != 0);
    return sim;
}

/* Threads of this process, from a Toolhelp32 snapshot; -1 if none taken. */
static inline int thread_count(void) {
    DWORD pid = GetCurrentProcessId();
    THREADENTRY32 entry;
    int count = 0;
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    if (snapshot == INVALID_HANDLE_VALUE) {
        return -1;
    }
    entry.dwSize = sizeof entry;
    if (Thread32First(snapshot, &entry)) {
        do {
            if (entry.th32OwnerProcessID == pid) {
                count++;
            }
            entry.dwSize = sizeof entry;
        } while (Thread32Next(snapshot, &entry));
    }
    CloseHandle(snapshot);
    return count;
}

/* Open handles of this process; -1 if they cannot be counted.
 * GetProcessHandleCount first; Wine 8 answers it with 0 (a stub), so then
 * the handle values are probed one by one with GetHandleInformation
 * (kernel handles are multiples of 4; the first 16384 are looked at). */
static int handle_count_probed;

static inline int handle_count(void) {
    DWORD count = 0, flags;
    uintptr_t value;
    if (GetProcessHandleCount(GetCurrentProcess(), &count) && count > 0) {
        return (int)count;
    }
    handle_count_probed = 1;
    count = 0;
    for (value = 4; value < 4 * 16384; value += 4) {
        if (GetHandleInformation((HANDLE)value, &flags)) {
            count++;
        }
    }
    return (int)count;
}

#endif
