// libpqxx exceptions become absl::Status at the pool's boundary.
#include <gtest/gtest.h>

#include "hatongsu/pg/pool.h"

namespace hatongsu::pg {
namespace {

TEST(TranslateException, AValuePostgresCannotTakeIsTheCallersError) {
    // What `SELECT 'garbage'::uuid` throws (SQLSTATE 22P02, invalid_text_representation).
    pqxx::data_exception not_a_uuid(
        "ERROR: invalid input syntax for type uuid: \"garbage\"", "SELECT $1::uuid", "22P02");
    EXPECT_EQ(TranslateException(not_a_uuid, "test").code(), absl::StatusCode::kInvalidArgument);
}

TEST(TranslateException, KnownFailuresKeepTheirMeaning) {
    EXPECT_EQ(
        TranslateException(pqxx::unique_violation("dup"), "test").code(),
        absl::StatusCode::kAlreadyExists);
    EXPECT_EQ(
        TranslateException(pqxx::serialization_failure("retry"), "test").code(),
        absl::StatusCode::kAborted);
    EXPECT_EQ(
        TranslateException(pqxx::broken_connection("gone"), "test").code(),
        absl::StatusCode::kUnavailable);
    EXPECT_EQ(
        TranslateException(std::runtime_error("bug"), "test").code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace hatongsu::pg
