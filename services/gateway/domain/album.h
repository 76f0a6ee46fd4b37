// What the gateway knows of album images and upload batches: plain values copied from the album
// service's replies (timestamps already rendered as the API shows them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hatongsu::gateway {

struct AlbumImage {
    std::string id;
    std::string filename;
    std::string path;  // browser-loadable URL of the original
    std::optional<std::string> date_time;
    std::optional<std::string> date_time_original;
    std::optional<std::string> date_time_digitized;
    std::optional<std::string> date_time_original_offset;  // "+09:00"
    std::string gallery_spot_type;
    std::string created_at;
    std::string updated_at;
    std::string thumbnail_path;
    std::string preview_path;
    int width = 0;
    int height = 0;
};

struct AlbumQuery {
    std::vector<std::pair<std::string, std::string>> sort;  // (orderBy, order), checked
    int page = 1;
    int limit = 10;
};

struct AlbumPage {
    std::vector<AlbumImage> images;
    int total_count = 0;
};

struct AlbumCursorPage {
    std::vector<AlbumImage> images;
    std::optional<std::string> next_cursor;
    bool has_next_page = false;
};

struct AlbumInfinitePage {
    std::vector<AlbumImage> images;
    std::string next_cursor;
};

struct DateCount {
    std::string date;  // YYYY-MM-DD
    int count = 0;
};

// Spots in enum order (spot1 ... spot10), only those holding an image.
using SpotImages = std::vector<std::pair<std::string, std::vector<AlbumImage>>>;

struct DeleteResult {
    bool success = false;
    int deleted_count = 0;
};

// One stored upload, as the gateway hands it to the album service.
struct StagedFile {
    std::string staging_key;
    std::string filename;
    std::string mime_type;
    int64_t size = 0;
    std::string sha256;
    std::optional<int64_t> last_modified_ms;
};

struct UploadFileStatus {
    int index = 0;
    std::string filename;
    std::string status;  // queued, processing, done, duplicate, failed
    std::string image_id;
    std::string reason;
};

}  // namespace hatongsu::gateway
