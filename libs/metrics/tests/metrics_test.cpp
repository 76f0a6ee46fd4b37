#include "hatongsu/metrics/metrics.h"

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hatongsu/metrics/process.h"
#include "hatongsu/testkit/metrics.h"

namespace hatongsu::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using testkit::Sample;

TEST(StatusClassTest, GroupsByHundreds) {
    EXPECT_EQ(StatusClass(101), "1xx");
    EXPECT_EQ(StatusClass(200), "2xx");
    EXPECT_EQ(StatusClass(304), "3xx");
    EXPECT_EQ(StatusClass(499), "4xx");
    EXPECT_EQ(StatusClass(503), "5xx");
    EXPECT_EQ(StatusClass(99), "other");
    EXPECT_EQ(StatusClass(600), "other");
}

TEST(RegistryTest, RendersCountersGaugesAndHistograms) {
    Registry registry;
    registry.Counter("test_jobs_total", "Jobs.").Add({{"outcome", "done"}}).Increment(3);
    registry.Gauge("test_players", "Players.").Add({}).Set(7);
    auto& latency = registry.Histogram("test_latency_seconds", "Latency.")
                        .Add({{"route", "/a"}}, LatencyBuckets());
    latency.Observe(0.003);
    latency.Observe(2);
    std::string text = registry.Render();
    EXPECT_THAT(text, HasSubstr("# TYPE test_jobs_total counter"));
    EXPECT_EQ(Sample(text, "test_jobs_total{outcome=\"done\"}"), 3);
    EXPECT_EQ(Sample(text, "test_players"), 7);
    EXPECT_EQ(Sample(text, "test_latency_seconds_count{route=\"/a\"}"), 2);
    EXPECT_EQ(Sample(text, "test_latency_seconds_bucket{route=\"/a\",le=\"0.0025\"}"), 0);
    EXPECT_EQ(Sample(text, "test_latency_seconds_bucket{route=\"/a\",le=\"0.005\"}"), 1);
    EXPECT_EQ(Sample(text, "test_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"}"), 2);
    EXPECT_DOUBLE_EQ(Sample(text, "test_latency_seconds_sum{route=\"/a\"}"), 2.003);
}

TEST(RegistryTest, OneFamilyPerNameAndTypeConflictsThrow) {
    Registry registry;
    auto& a = registry.Counter("test_total", "A.");
    auto& b = registry.Counter("test_total", "A.");
    EXPECT_EQ(&a, &b);
    EXPECT_THROW(registry.Gauge("test_total", "A."), std::invalid_argument);
    EXPECT_THROW(registry.Counter("bad name", "A."), std::invalid_argument);
}

TEST(RegistryTest, IncludesTheProcessMetrics) {
    Registry registry;
    std::string text = registry.Render();
    EXPECT_GT(Sample(text, "process_resident_memory_bytes"), 1e5);
    EXPECT_GE(Sample(text, "process_cpu_seconds_total"), 0);
    EXPECT_GT(Sample(text, "process_max_fds"), 0);
    EXPECT_GT(Sample(text, "process_threads"), 0);
    EXPECT_GT(Sample(text, "process_start_time_seconds"), 1.6e9);  // after 2020
}

TEST(RegistryTest, RendersReadingsAtEachScrape) {
    Registry registry;
    double players = 2;
    registry.AddReadings([&players] {
        return std::vector<Reading>{
            GaugeReading("test_room_players", "Players.", players),
            CounterReading("test_room_dropped_total", "Dropped.", 5, {{"reason", "rate"}}),
            CounterReading("test_room_dropped_total", "Dropped.", 1, {{"reason", "length"}})};
    });
    std::string text = registry.Render();
    EXPECT_EQ(Sample(text, "test_room_players"), 2);
    EXPECT_THAT(text, HasSubstr("# TYPE test_room_dropped_total counter"));
    EXPECT_EQ(Sample(text, "test_room_dropped_total{reason=\"rate\"}"), 5);
    EXPECT_EQ(Sample(text, "test_room_dropped_total{reason=\"length\"}"), 1);
    players = 7;
    EXPECT_EQ(Sample(registry.Render(), "test_room_players"), 7);
}

TEST(ProcessCollectorTest, CountsOpenFiles) {
    auto open_fds = [] {
        for (const auto& family : ProcessCollector().Collect()) {
            if (family.name == "process_open_fds") {
                return family.metric.at(0).gauge.value;
            }
        }
        return -1.0;
    };
    double before = open_fds();
    ASSERT_GT(before, 0);
    std::vector<FILE*> files;
    for (int i = 0; i < 5; ++i) {
        files.push_back(std::fopen("/proc/self/stat", "r"));
    }
    EXPECT_EQ(open_fds(), before + 5);
    for (FILE* f : files) {
        std::fclose(f);
    }
    EXPECT_EQ(open_fds(), before);
}

TEST(ChildrenTest, CreatesEachChildOnceUnderConcurrentUse) {
    Registry registry;
    Children<prometheus::Counter> requests(registry.Counter("test_requests_total", "Requests."));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&requests] {
            for (int i = 0; i < 1000; ++i) {
                std::string route = i % 2 == 0 ? "/a" : "/b";
                requests.Get(
                            route,
                            [&] {
                                return prometheus::Labels{{"route", route}};
                            })
                    .Increment();
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    std::string text = registry.Render();
    EXPECT_EQ(Sample(text, "test_requests_total{route=\"/a\"}"), 2000);
    EXPECT_EQ(Sample(text, "test_requests_total{route=\"/b\"}"), 2000);
    EXPECT_THAT(text, Not(HasSubstr("route=\"/c\"")));
}

}  // namespace
}  // namespace hatongsu::metrics
