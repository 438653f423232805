#include "CRE2.h"

#include <re2/re2.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

struct surge_re2 {
    re2::RE2 regex;
    std::vector<std::string> names;
    std::vector<bool> named;

    surge_re2(const re2::StringPiece &pattern, const re2::RE2::Options &options) : regex(pattern, options) {}
};

extern "C" surge_re2 *surge_re2_new(const char *pattern, size_t length, char **error) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    auto *re = new surge_re2(re2::StringPiece(pattern, length), options);
    if (!re->regex.ok()) {
        if (error) {
            const std::string &message = re->regex.error();
            *error = static_cast<char *>(std::malloc(message.size() + 1));
            if (*error) std::memcpy(*error, message.c_str(), message.size() + 1);
        }
        delete re;
        return nullptr;
    }
    int count = re->regex.NumberOfCapturingGroups();
    re->names.assign(count + 1, std::string());
    re->named.assign(count + 1, false);
    for (const auto &entry : re->regex.CapturingGroupNames()) {
        if (entry.first >= 0 && entry.first <= count) {
            re->names[entry.first] = entry.second;
            re->named[entry.first] = true;
        }
    }
    return re;
}

extern "C" void surge_re2_delete(surge_re2 *re) { delete re; }

extern "C" void surge_re2_free_error(char *error) { std::free(error); }

extern "C" int surge_re2_group_count(const surge_re2 *re) { return re->regex.NumberOfCapturingGroups(); }

extern "C" const char *surge_re2_group_name(const surge_re2 *re, int index) {
    if (index < 0 || index >= static_cast<int>(re->names.size()) || !re->named[index]) return nullptr;
    return re->names[index].c_str();
}

extern "C" int surge_re2_match(const surge_re2 *re, const char *text, size_t length) {
    return re->regex.Match(re2::StringPiece(text, length), 0, length, re2::RE2::UNANCHORED, nullptr, 0) ? 1 : 0;
}

extern "C" int surge_re2_match_groups(const surge_re2 *re, const char *text, size_t length, long *offsets, int groups) {
    if (groups < 1) return surge_re2_match(re, text, length);
    return surge_re2_search(re, text, length, 0, offsets, groups);
}

extern "C" int surge_re2_search(const surge_re2 *re, const char *text, size_t length, size_t start, long *offsets, int groups) {
    if (groups < 1 || start > length) return 0;
    std::vector<re2::StringPiece> submatches(groups);
    re2::StringPiece input(text, length);
    if (!re->regex.Match(input, start, length, re2::RE2::UNANCHORED, submatches.data(), groups)) return 0;
    for (int i = 0; i < groups; i++) {
        if (submatches[i].data() == nullptr) {
            offsets[2 * i] = -1;
            offsets[2 * i + 1] = -1;
        } else {
            offsets[2 * i] = static_cast<long>(submatches[i].data() - text);
            offsets[2 * i + 1] = offsets[2 * i] + static_cast<long>(submatches[i].size());
        }
    }
    return 1;
}
