#include "services/album/adapter/pg/pg_repositories.h"

#include "hatongsu/core/text.h"

namespace hatongsu::album::pg {
namespace {

// A naive timestamp column as epoch milliseconds (microseconds truncated, as the original's
// JavaScript Date did).
#define ALBUM_MS(col) "floor(extract(epoch from " col ") * 1000)::bigint"
// Epoch milliseconds (a bigint parameter) as a naive timestamp.
#define ALBUM_TS(param) "(TIMESTAMP 'epoch' + (" param ")::bigint * INTERVAL '1 millisecond')"

// Computed columns get names of their own: an output column named like a table column would be
// what a bare ORDER BY name refers to (id and "gallerySpotType" would sort as text).
constexpr const char* kFields =
    "id::text AS id_text, filename, \"objectKey\", coalesce(thumbnail_key, ''), coalesce(preview_key, ''), "
    "coalesce(mime_type, ''), coalesce(size_bytes, 0), coalesce(width, 0), coalesce(height, 0), "
    "coalesce(sha256, ''), " ALBUM_MS("\"dateTime\"") ", " ALBUM_MS("\"dateTimeOriginal\"") ", " ALBUM_MS(
        "\"dateTimeDigitized\"") ", \"dateTimeOriginalOffset\", \"gallerySpotType\"::text AS spot_text, " ALBUM_MS("created_at") ", " ALBUM_MS("updated_at") ", version";

std::string Select() {
    return std::string("SELECT ") + kFields + " FROM album_image ";
}

std::optional<LocalDateTime> OptionalTime(const pqxx::field& f) {
    if (f.is_null()) {
        return std::nullopt;
    }
    return LocalDateTime{f.as<int64_t>()};
}

AlbumImage FromRow(const pqxx::row& row) {
    AlbumImage i;
    i.id = row[0].as<std::string>();
    i.filename = row[1].as<std::string>();
    i.object_key = row[2].as<std::string>();
    i.thumbnail_key = row[3].as<std::string>();
    i.preview_key = row[4].as<std::string>();
    i.mime_type = row[5].as<std::string>();
    i.size = row[6].as<int64_t>();
    i.width = row[7].as<int>();
    i.height = row[8].as<int>();
    i.sha256 = row[9].as<std::string>();
    i.date_time = OptionalTime(row[10]);
    i.date_time_original = OptionalTime(row[11]);
    i.date_time_digitized = OptionalTime(row[12]);
    if (!row[13].is_null()) {
        i.original_offset_minutes = row[13].as<int>();
    }
    i.gallery_spot = ParseSpotType(row[14].as<std::string>()).value_or(SpotType::kNone);
    i.created_at = LocalDateTime{row[15].as<int64_t>()};
    i.updated_at = LocalDateTime{row[16].as<int64_t>()};
    i.version = row[17].as<int>();
    return i;
}

std::vector<AlbumImage> FromRows(const pqxx::result& rows) {
    std::vector<AlbumImage> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back(FromRow(row));
    }
    return out;
}

std::string Column(ImageField field) {
    switch (field) {
        case ImageField::kId:
            return "id";
        case ImageField::kFilename:
            return "filename";
        case ImageField::kObjectKey:
            return "\"objectKey\"";
        case ImageField::kDateTime:
            return "\"dateTime\"";
        case ImageField::kDateTimeOriginal:
            return "\"dateTimeOriginal\"";
        case ImageField::kDateTimeDigitized:
            return "\"dateTimeDigitized\"";
        case ImageField::kGallerySpotType:
            return "\"gallerySpotType\"";
        case ImageField::kCreatedAt:
            return "created_at";
        case ImageField::kUpdatedAt:
            return "updated_at";
        case ImageField::kVersion:
            return "version";
    }
    return "id";
}

std::optional<int64_t> Ms(const std::optional<LocalDateTime>& t) {
    if (!t) {
        return std::nullopt;
    }
    return t->ms;
}

std::optional<std::string> NonEmpty(const std::string& s) {
    if (s.empty()) {
        return std::nullopt;
    }
    return s;
}

void InsertRow(pqxx::work& tx, const AlbumImage& i) {
    tx.exec_params(
        "INSERT INTO album_image (id, filename, \"objectKey\", thumbnail_key, preview_key, "
        "mime_type, size_bytes, width, height, sha256, \"dateTime\", \"dateTimeOriginal\", "
        "\"dateTimeDigitized\", \"dateTimeOriginalOffset\", \"gallerySpotType\", version) VALUES "
        "($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, " ALBUM_TS("$11") ", " ALBUM_TS(
            "$12") ", " ALBUM_TS("$13") ", $14, $15::album_image_galleryspottype_enum, 1)",
        i.id, i.filename, i.object_key, NonEmpty(i.thumbnail_key), NonEmpty(i.preview_key),
        NonEmpty(i.mime_type), i.size, i.width, i.height, NonEmpty(i.sha256), Ms(i.date_time),
        Ms(i.date_time_original), Ms(i.date_time_digitized), i.original_offset_minutes,
        std::string(SpotTypeName(i.gallery_spot)));
}

// A PostgreSQL array literal of UUIDs (validated, so nothing in it needs quoting). Travels as a
// parameter, never as SQL text.
std::string UuidArray(const std::vector<std::string>& ids) {
    std::string out = "{";
    for (const std::string& id : ids) {
        if (!core::IsUuid(id)) {
            continue;
        }
        if (out.size() > 1) {
            out += ',';
        }
        out += id;
    }
    return out + "}";
}

}  // namespace

absl::StatusOr<ImagePage> PgAlbumImageRepository::List(const ImagePageQuery& query) {
    std::string order = " ORDER BY ";
    for (std::size_t i = 0; i < query.sort.size(); ++i) {
        order += (i > 0 ? ", " : "") + Column(query.sort[i].field) +
                 (query.sort[i].descending ? " DESC" : " ASC");
    }
    if (query.sort.empty()) {
        order += "id ASC";
    }
    return pool_.Run("list images", [&](pqxx::connection& c) -> absl::StatusOr<ImagePage> {
        pqxx::work tx(c);  // one snapshot for the page and its count
        ImagePage page;
        page.images = FromRows(
            tx.exec_params(Select() + order + " LIMIT $1 OFFSET $2", query.limit, query.offset));
        page.total_count = tx.exec("SELECT count(*) FROM album_image")[0][0].as<int64_t>();
        return page;
    });
}

absl::StatusOr<std::vector<AlbumImage>> PgAlbumImageRepository::ListCaptureOrder(
    const std::optional<CaptureKey>& after, int limit) {
    return pool_.Run(
        "list images in capture order",
        [&](pqxx::connection& c) -> absl::StatusOr<std::vector<AlbumImage>> {
            pqxx::nontransaction tx(c);
            if (!after) {
                return FromRows(tx.exec_params(
                    Select() + "WHERE \"dateTimeOriginal\" IS NOT NULL "
                               "ORDER BY \"dateTimeOriginal\" DESC, id DESC LIMIT $1",
                    limit));
            }
            return FromRows(tx.exec_params(
                Select() +
                    "WHERE \"dateTimeOriginal\" IS NOT NULL AND (\"dateTimeOriginal\", id) < "
                    "(" ALBUM_TS("$1") ", $2::uuid) ORDER BY \"dateTimeOriginal\" DESC, id DESC "
                                       "LIMIT $3",
                after->date.ms, after->id, limit));
        });
}

absl::StatusOr<std::optional<CapturePosition>> PgAlbumImageRepository::CapturePositionOf(
    const std::string& id) {
    if (!core::IsUuid(id)) {
        return std::nullopt;
    }
    return pool_.Run(
        "capture position",
        [&](pqxx::connection& c) -> absl::StatusOr<std::optional<CapturePosition>> {
            pqxx::nontransaction tx(c);
            auto r = tx.exec_params(
                "WITH cur AS (SELECT \"dateTimeOriginal\" AS d, id FROM album_image "
                "WHERE id = $1::uuid AND \"dateTimeOriginal\" IS NOT NULL) "
                "SELECT (SELECT count(*) FROM album_image a WHERE a.\"dateTimeOriginal\" IS NOT "
                "NULL AND (a.\"dateTimeOriginal\", a.id) > (cur.d, cur.id)), "
                "(SELECT count(*) FROM album_image WHERE \"dateTimeOriginal\" IS NOT NULL) "
                "FROM cur",
                id);
            if (r.empty()) {
                return std::nullopt;
            }
            return CapturePosition{r[0][0].as<int64_t>(), r[0][1].as<int64_t>()};
        });
}

absl::StatusOr<std::optional<AlbumImage>> PgAlbumImageRepository::AtCapturePosition(
    int64_t position) {
    if (position < 0) {
        return std::nullopt;
    }
    return pool_.Run(
        "image at capture position",
        [&](pqxx::connection& c) -> absl::StatusOr<std::optional<AlbumImage>> {
            pqxx::nontransaction tx(c);
            auto r = tx.exec_params(
                Select() +
                    "WHERE \"dateTimeOriginal\" IS NOT NULL "
                    "ORDER BY \"dateTimeOriginal\" DESC, id DESC OFFSET $1 LIMIT 1",
                position);
            if (r.empty()) {
                return std::nullopt;
            }
            return FromRow(r[0]);
        });
}

absl::StatusOr<std::vector<DateCount>> PgAlbumImageRepository::CountByDate(
    LocalDateTime first_day, LocalDateTime last_day) {
    return pool_.Run(
        "count by date", [&](pqxx::connection& c) -> absl::StatusOr<std::vector<DateCount>> {
            pqxx::nontransaction tx(c);
            auto r = tx.exec_params(
                "SELECT " ALBUM_MS("date_trunc('day', \"dateTimeOriginal\")") ", count(*) "
                "FROM album_image WHERE \"dateTimeOriginal\" >= " ALBUM_TS("$1") " AND "
                "\"dateTimeOriginal\" < " ALBUM_TS("$2") " + INTERVAL '1 day' "
                "GROUP BY 1 ORDER BY 1",
                first_day.ms, last_day.ms);
            std::vector<DateCount> out;
            for (const auto& row : r) {
                out.push_back({LocalDateTime{row[0].as<int64_t>()}, row[1].as<int64_t>()});
            }
            return out;
        });
}

absl::StatusOr<std::optional<AlbumImage>> PgAlbumImageRepository::FindById(const std::string& id) {
    if (!core::IsUuid(id)) {
        return std::nullopt;
    }
    return pool_.Run(
        "find image", [&](pqxx::connection& c) -> absl::StatusOr<std::optional<AlbumImage>> {
            pqxx::nontransaction tx(c);
            auto r = tx.exec_params(Select() + "WHERE id = $1::uuid", id);
            if (r.empty()) {
                return std::nullopt;
            }
            return FromRow(r[0]);
        });
}

absl::StatusOr<std::optional<AlbumImage>> PgAlbumImageRepository::FindBySha256(
    const std::string& sha256) {
    if (sha256.empty()) {
        return std::nullopt;
    }
    return pool_.Run(
        "find image by sha256",
        [&](pqxx::connection& c) -> absl::StatusOr<std::optional<AlbumImage>> {
            pqxx::nontransaction tx(c);
            auto r = tx.exec_params(Select() + "WHERE sha256 = $1", sha256);
            if (r.empty()) {
                return std::nullopt;
            }
            return FromRow(r[0]);
        });
}

absl::StatusOr<std::vector<AlbumImage>> PgAlbumImageRepository::DeleteByIds(
    const std::vector<std::string>& ids) {
    return pool_.Run(
        "delete images", [&](pqxx::connection& c) -> absl::StatusOr<std::vector<AlbumImage>> {
            pqxx::work tx(c);
            auto r = tx.exec_params(
                std::string("DELETE FROM album_image WHERE id = ANY($1::uuid[]) RETURNING ") +
                    kFields,
                UuidArray(ids));
            tx.commit();
            return FromRows(r);
        });
}

absl::StatusOr<std::vector<AlbumImage>> PgAlbumImageRepository::GallerySpots() {
    return pool_.Run(
        "gallery spots", [&](pqxx::connection& c) -> absl::StatusOr<std::vector<AlbumImage>> {
            pqxx::nontransaction tx(c);
            return FromRows(tx.exec(
                Select() +
                "WHERE \"gallerySpotType\" <> 'none' "
                "ORDER BY \"gallerySpotType\", \"dateTimeOriginal\" DESC, id DESC"));
        });
}

absl::Status PgAlbumImageRepository::SetGallerySpot(const std::string& id, SpotType spot) {
    if (!core::IsUuid(id)) {
        return absl::NotFoundError("IMAGE_NOT_FOUND");
    }
    const std::string name(SpotTypeName(spot));
    // A concurrent assignment of the same spot can win between our two updates: the partial
    // unique index then refuses ours (AlreadyExists) or the lock order deadlocks (Aborted); the
    // second try sees the winner and frees it.
    absl::Status last;
    for (int attempt = 0; attempt < 2; ++attempt) {
        last = pool_.Run("set gallery spot", [&](pqxx::connection& c) -> absl::Status {
            pqxx::work tx(c);
            auto cur = tx.exec_params(
                "SELECT \"gallerySpotType\"::text FROM album_image WHERE id = $1::uuid FOR UPDATE",
                id);
            if (cur.empty()) {
                return absl::NotFoundError("IMAGE_NOT_FOUND");
            }
            if (spot != SpotType::kNone) {
                tx.exec_params(
                    "UPDATE album_image SET \"gallerySpotType\" = 'none', version = version + 1, "
                    "updated_at = now() WHERE \"gallerySpotType\" = "
                    "$1::album_image_galleryspottype_enum AND id <> $2::uuid",
                    name, id);
            }
            if (cur[0][0].as<std::string>() != name) {
                tx.exec_params(
                    "UPDATE album_image SET \"gallerySpotType\" = "
                    "$1::album_image_galleryspottype_enum, version = version + 1, updated_at = "
                    "now() WHERE id = $2::uuid",
                    name, id);
            }
            tx.commit();
            return absl::OkStatus();
        });
        if (last.code() != absl::StatusCode::kAlreadyExists &&
            last.code() != absl::StatusCode::kAborted) {
            return last;
        }
    }
    return absl::AbortedError("concurrent gallery spot assignment, try again");
}

absl::Status PgAlbumImageRepository::Insert(const AlbumImage& image) {
    return pool_.Run("insert image", [&](pqxx::connection& c) -> absl::Status {
        pqxx::work tx(c);
        InsertRow(tx, image);
        tx.commit();
        return absl::OkStatus();
    });
}

absl::Status PgAlbumImageRepository::InsertForUpload(
    const AlbumImage& image, const UploadFileRef& file) {
    if (!core::IsUuid(file.batch_id)) {
        return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
    }
    return pool_.Run("insert uploaded image", [&](pqxx::connection& c) -> absl::Status {
        pqxx::work tx(c);
        auto f = tx.exec_params(
            "SELECT status FROM upload_file WHERE batch_id = $1::uuid AND file_index = $2 FOR "
            "UPDATE",
            file.batch_id, file.index);
        if (f.empty()) {
            return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
        }
        InsertRow(tx, image);
        tx.exec_params(
            "UPDATE upload_file SET status = 'done', image_id = $3::uuid, reason = NULL, "
            "updated_at = now() WHERE batch_id = $1::uuid AND file_index = $2 "
            "AND status IN ('queued', 'processing')",
            file.batch_id, file.index, image.id);
        tx.commit();
        return absl::OkStatus();
    });
}

namespace {

constexpr const char* kFileFields =
    "file_index, staging_key, filename, mime_type, size_bytes, sha256, last_modified_ms, status, "
    "coalesce(image_id::text, ''), coalesce(reason, '')";

UploadFileRecord FileFromRow(const pqxx::row& row) {
    UploadFileRecord f;
    f.index = row[0].as<int>();
    f.file.staging_key = row[1].as<std::string>();
    f.file.filename = row[2].as<std::string>();
    f.file.mime_type = row[3].as<std::string>();
    f.file.size = row[4].as<int64_t>();
    f.file.sha256 = row[5].as<std::string>();
    if (!row[6].is_null()) {
        f.file.last_modified_ms = row[6].as<int64_t>();
    }
    f.status = ParseUploadStatus(row[7].as<std::string>()).value_or(UploadStatus::kQueued);
    f.image_id = row[8].as<std::string>();
    f.reason = row[9].as<std::string>();
    return f;
}

}  // namespace

absl::Status PgUploadBatchRepository::Create(
    const std::string& batch_id, const std::vector<NewUploadFile>& files) {
    return pool_.Run("create upload batch", [&](pqxx::connection& c) -> absl::Status {
        pqxx::work tx(c);
        tx.exec_params("INSERT INTO upload_batch (id) VALUES ($1::uuid)", batch_id);
        for (std::size_t i = 0; i < files.size(); ++i) {
            const NewUploadFile& f = files[i];
            tx.exec_params(
                "INSERT INTO upload_file (batch_id, file_index, staging_key, filename, mime_type, "
                "size_bytes, sha256, last_modified_ms) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, "
                "$8)",
                batch_id, static_cast<int>(i), f.staging_key, f.filename, f.mime_type, f.size,
                f.sha256, f.last_modified_ms);
        }
        tx.commit();
        return absl::OkStatus();
    });
}

absl::StatusOr<UploadBatch> PgUploadBatchRepository::Get(const std::string& batch_id) {
    if (!core::IsUuid(batch_id)) {
        return absl::NotFoundError("BATCH_NOT_FOUND");
    }
    return pool_.Run("get upload batch", [&](pqxx::connection& c) -> absl::StatusOr<UploadBatch> {
        pqxx::work tx(c);
        if (tx.exec_params("SELECT 1 FROM upload_batch WHERE id = $1::uuid", batch_id).empty()) {
            return absl::NotFoundError("BATCH_NOT_FOUND");
        }
        UploadBatch batch;
        batch.id = batch_id;
        for (const auto& row : tx.exec_params(
                 std::string("SELECT ") + kFileFields +
                     " FROM upload_file WHERE batch_id = $1::uuid ORDER BY file_index",
                 batch_id)) {
            batch.files.push_back(FileFromRow(row));
        }
        return batch;
    });
}

absl::StatusOr<UploadFileRecord> PgUploadBatchRepository::StartProcessing(
    const std::string& batch_id, int index, const std::string& new_image_id) {
    if (!core::IsUuid(batch_id)) {
        return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
    }
    return pool_.Run(
        "start processing", [&](pqxx::connection& c) -> absl::StatusOr<UploadFileRecord> {
            pqxx::work tx(c);
            tx.exec_params(
                "UPDATE upload_file SET status = 'processing', image_id = $3::uuid, updated_at = "
                "now() WHERE batch_id = $1::uuid AND file_index = $2 AND status = 'queued'",
                batch_id, index, new_image_id);
            auto r = tx.exec_params(
                std::string("SELECT ") + kFileFields +
                    " FROM upload_file WHERE batch_id = $1::uuid AND file_index = $2",
                batch_id, index);
            tx.commit();
            if (r.empty()) {
                return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
            }
            return FileFromRow(r[0]);
        });
}

absl::Status PgUploadBatchRepository::Finish(
    std::string_view what,
    const std::string& batch_id,
    int index,
    UploadStatus status,
    const std::optional<std::string>& image_id,
    const std::optional<std::string>& reason) {
    if (!core::IsUuid(batch_id)) {
        return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
    }
    return pool_.Run(what, [&](pqxx::connection& c) -> absl::Status {
        pqxx::work tx(c);
        auto r = tx.exec_params(
            "UPDATE upload_file SET status = $3, image_id = $4::uuid, reason = $5, updated_at = "
            "now() WHERE batch_id = $1::uuid AND file_index = $2 "
            "AND status IN ('queued', 'processing')",
            batch_id, index, std::string(UploadStatusName(status)), image_id, reason);
        if (r.affected_rows() == 0 &&
            tx.exec_params(
                  "SELECT 1 FROM upload_file WHERE batch_id = $1::uuid AND file_index = $2",
                  batch_id, index)
                .empty()) {
            return absl::NotFoundError("UPLOAD_FILE_NOT_FOUND");
        }
        tx.commit();
        return absl::OkStatus();
    });
}

absl::Status PgUploadBatchRepository::MarkDone(
    const std::string& batch_id, int index, const std::string& image_id) {
    return Finish("mark upload done", batch_id, index, UploadStatus::kDone, image_id, std::nullopt);
}

absl::Status PgUploadBatchRepository::MarkDuplicate(
    const std::string& batch_id, int index, const std::string& existing_image_id) {
    return Finish(
        "mark upload duplicate", batch_id, index, UploadStatus::kDuplicate, existing_image_id,
        std::nullopt);
}

absl::Status PgUploadBatchRepository::MarkFailed(
    const std::string& batch_id, int index, const std::string& reason) {
    return Finish(
        "mark upload failed", batch_id, index, UploadStatus::kFailed, std::nullopt, reason);
}

}  // namespace hatongsu::album::pg
