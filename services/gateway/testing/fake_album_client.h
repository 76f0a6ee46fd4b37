// An AlbumClient fake for route tests: canned answers in a state struct, the last request of each
// kind recorded, and a switch to make every call fail as if the service were down. Thread-safe
// like FakeUserClient: change or read the state through With().
#pragma once

#include <mutex>

#include "services/gateway/port/album_client.h"

namespace hatongsu::gateway::testing {

struct FakeAlbumState {
    std::vector<AlbumImage> images;  // every listing answers these
    std::vector<DateCount> counts;
    SpotImages spots;
    std::vector<UploadFileStatus> batch;
    absl::Status fail_with = absl::OkStatus();
    // Recorded requests.
    int calls = 0;
    AlbumQuery last_query;
    std::optional<std::string> last_cursor;
    int last_limit = 0;
    std::string last_id;
    int last_skip = 0;
    std::pair<std::string, std::string> last_range;
    std::vector<std::string> last_delete;
    std::pair<std::string, std::string> last_spot;
};

class FakeAlbumClient final : public AlbumClient {
public:
    class Locked {
    public:
        Locked(std::mutex& mu, FakeAlbumState& state) : lock_(mu), state_(state) {}
        FakeAlbumState* operator->() { return &state_; }

    private:
        std::unique_lock<std::mutex> lock_;
        FakeAlbumState& state_;
    };
    Locked With() { return Locked(mu_, state_); }

    boost::asio::awaitable<absl::StatusOr<AlbumPage>> List(CallMeta, AlbumQuery query) override {
        auto s = Begin();
        s->last_query = query;
        if (!s->fail_with.ok()) {
            co_return s->fail_with;
        }
        co_return AlbumPage{s->images, static_cast<int>(s->images.size())};
    }
    boost::asio::awaitable<absl::StatusOr<AlbumCursorPage>> Cursor(
        CallMeta, std::optional<std::string> cursor, int limit) override {
        auto s = Begin();
        s->last_cursor = cursor;
        s->last_limit = limit;
        if (!s->fail_with.ok()) {
            co_return s->fail_with;
        }
        AlbumCursorPage page{s->images, std::nullopt, false};
        if (!s->images.empty()) {
            page.next_cursor = "next-" + s->images.back().id;
            page.has_next_page = true;
        }
        co_return page;
    }
    boost::asio::awaitable<absl::StatusOr<AlbumInfinitePage>> Infinite(
        CallMeta, std::optional<std::string> next_cursor, int limit) override {
        auto s = Begin();
        s->last_cursor = next_cursor;
        s->last_limit = limit;
        if (!s->fail_with.ok()) {
            co_return s->fail_with;
        }
        co_return AlbumInfinitePage{
            s->images, s->images.empty() ? "" : "next-" + s->images.back().id};
    }
    boost::asio::awaitable<absl::StatusOr<AlbumImage>> FerrisNext(
        CallMeta, std::string id, int skip) override {
        auto s = Begin();
        s->last_id = id;
        s->last_skip = skip;
        if (!s->fail_with.ok()) {
            co_return s->fail_with;
        }
        if (s->images.empty()) {
            co_return absl::NotFoundError("IMAGE_NOT_FOUND");
        }
        co_return s->images.front();
    }
    boost::asio::awaitable<absl::StatusOr<std::vector<DateCount>>> CountByDate(
        CallMeta, std::string start_date, std::string end_date) override {
        auto s = Begin();
        s->last_range = {start_date, end_date};
        if (!s->fail_with.ok()) {
            co_return s->fail_with;
        }
        co_return s->counts;
    }
    boost::asio::awaitable<absl::StatusOr<DeleteResult>> Delete(
        CallMeta, std::vector<std::string> image_ids) override {
        auto s = Begin();
        s->last_delete = image_ids;
        if (!s->fail_with.ok()) {
            co_return s->fail_with;
        }
        co_return DeleteResult{!image_ids.empty(), static_cast<int>(image_ids.size())};
    }
    boost::asio::awaitable<absl::StatusOr<SpotImages>> GallerySpots(CallMeta) override {
        auto s = Begin();
        if (!s->fail_with.ok()) {
            co_return s->fail_with;
        }
        co_return s->spots;
    }
    boost::asio::awaitable<absl::Status> UpdateGallerySpot(
        CallMeta, std::string image_id, std::string spot_type) override {
        auto s = Begin();
        s->last_spot = {image_id, spot_type};
        co_return s->fail_with;
    }
    boost::asio::awaitable<absl::Status> CreateUploadBatch(
        CallMeta, std::string, std::vector<StagedFile>) override {
        auto s = Begin();
        co_return s->fail_with;
    }
    boost::asio::awaitable<absl::StatusOr<std::vector<UploadFileStatus>>> GetUploadBatch(
        CallMeta, std::string) override {
        auto s = Begin();
        if (!s->fail_with.ok()) {
            co_return s->fail_with;
        }
        if (s->batch.empty()) {
            co_return absl::NotFoundError("BATCH_NOT_FOUND");
        }
        co_return s->batch;
    }
    boost::asio::awaitable<absl::Status> CheckHealth() override {
        auto s = Begin();
        co_return s->fail_with;
    }

private:
    Locked Begin() {
        Locked s = With();
        ++s->calls;
        return s;
    }
    std::mutex mu_;
    FakeAlbumState state_;
};

}  // namespace hatongsu::gateway::testing
