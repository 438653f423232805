// A small C face of RE2 (apt libre2-dev) for Swift: compile, match a whole text, and read the
// groups of a match. RE2 matches in time linear in the text and refuses back-references and
// look-arounds, as Go's regexp (and so Prometheus) does.
#ifndef SURGE_CRE2_H
#define SURGE_CRE2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct surge_re2 surge_re2;

/// Compiles `pattern` (UTF-8, `length` bytes). On failure returns NULL and sets `*error` to a
/// message the caller frees with surge_re2_free_error.
surge_re2 *surge_re2_new(const char *pattern, size_t length, char **error);
void surge_re2_delete(surge_re2 *re);
void surge_re2_free_error(char *error);

/// Capturing groups, not counting the whole match.
int surge_re2_group_count(const surge_re2 *re);
/// The name of group `index` (1-based), or NULL for an unnamed group; valid while `re` lives.
const char *surge_re2_group_name(const surge_re2 *re, int index);

/// Whether the pattern matches somewhere in the text (a pattern anchored with ^ and $ matches
/// the whole text).
int surge_re2_match(const surge_re2 *re, const char *text, size_t length);

/// As surge_re2_match, filling `offsets` with `groups` pairs of (start, end) byte offsets: the
/// whole match, then each group; -1 for a group that took no part. `groups` is at most
/// group count + 1.
int surge_re2_match_groups(const surge_re2 *re, const char *text, size_t length, long *offsets, int groups);

/* The leftmost match starting at or after `start`, unanchored, with `groups` submatches (the
   whole match first) as byte offsets into `text`; -1 for a group that did not take part. */
int surge_re2_search(const surge_re2 *re, const char *text, size_t length, size_t start, long *offsets, int groups);

#ifdef __cplusplus
}
#endif

#endif
