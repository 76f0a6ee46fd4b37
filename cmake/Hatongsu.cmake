# Project helpers: warnings for our own targets, unit test binaries, SQL migrations embedded in C++.

function(hatongsu_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    if(HATONGSU_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# hatongsu_tests(NAME name SOURCES ... LIBS ... [LABEL unit|integration|e2e]): a GoogleTest binary,
# each test registered with ctest under the label.
function(hatongsu_tests)
    cmake_parse_arguments(T "" "NAME;LABEL" "SOURCES;LIBS" ${ARGN})
    if(NOT T_LABEL)
        set(T_LABEL unit)
    endif()
    add_executable(${T_NAME} ${T_SOURCES})
    hatongsu_warnings(${T_NAME})
    target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} hatongsu_testkit GTest::gmock GTest::gtest_main)
    gtest_discover_tests(${T_NAME} PROPERTIES LABELS ${T_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()

# hatongsu_embed_sql(target dir namespace): compiles every dir/NNN_name.sql into
# `const std::vector<pg::Migration>& <namespace>::Migrations()`, in file-name order.
function(hatongsu_embed_sql target dir ns)
    file(GLOB _files CONFIGURE_DEPENDS "${dir}/*.sql")
    list(SORT _files)
    set(_body "")
    foreach(f ${_files})
        get_filename_component(_name ${f} NAME_WE)
        string(REGEX MATCH "^[0-9]+" _ver ${_name})
        file(READ ${f} _sql)
        string(APPEND _body "        {${_ver}, \"${_name}\", R\"hatongsu_sql(${_sql})hatongsu_sql\"},\n")
    endforeach()
    set(_out "${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cpp")
    file(CONFIGURE OUTPUT ${_out} CONTENT
"// Generated from ${dir} by hatongsu_embed_sql; edit the .sql files instead.
#include <vector>
#include \"hatongsu/pg/migrate.h\"
namespace ${ns} {
const std::vector<hatongsu::pg::Migration>& Migrations() {
    static const std::vector<hatongsu::pg::Migration> kMigrations = {
${_body}    };
    return kMigrations;
}
}  // namespace ${ns}
")
    target_sources(${target} PRIVATE ${_out})
endfunction()

# hatongsu_fast_malloc(target): links jemalloc into a program whose hot path allocates per packet
# (usrsctp's buffers, DTLS records): there glibc's per-thread arena grows and trims its heap with
# mprotect(2) thousands of times a second. Not with sanitizers, which bring their own allocator.
function(hatongsu_fast_malloc target)
    if(HATONGSU_SANITIZE)
        return()
    endif()
    if(NOT TARGET PkgConfig::JEMALLOC)
        pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET GLOBAL jemalloc)
    endif()
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
endfunction()
