// Early-return helpers for absl::Status / absl::StatusOr, shaped like Abseil's later ABSL_ macros
// so we can switch when Debian's Abseil has them. The CO_ variants are for coroutines (co_return).
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#define CORE_STATUS_CONCAT_INNER(a, b) a##b
#define CORE_STATUS_CONCAT(a, b) CORE_STATUS_CONCAT_INNER(a, b)

#define CORE_RETURN_IF_ERROR(expr)                  \
    do {                                            \
        if (absl::Status _st = (expr); !_st.ok()) { \
            return _st;                             \
        }                                           \
    } while (false)

#define CORE_ASSIGN_OR_RETURN(lhs, expr) \
    CORE_ASSIGN_OR_RETURN_IMPL(CORE_STATUS_CONCAT(_status_or_, __LINE__), lhs, expr, return )

#define CORE_CO_RETURN_IF_ERROR(expr)               \
    do {                                            \
        if (absl::Status _st = (expr); !_st.ok()) { \
            co_return _st;                          \
        }                                           \
    } while (false)

#define CORE_CO_ASSIGN_OR_RETURN(lhs, expr) \
    CORE_ASSIGN_OR_RETURN_IMPL(CORE_STATUS_CONCAT(_status_or_, __LINE__), lhs, expr, co_return )

#define CORE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr, ret) \
    auto tmp = (expr);                                  \
    if (!tmp.ok()) {                                    \
        ret std::move(tmp).status();                    \
    }                                                   \
    lhs = std::move(tmp).value()
