-- Hatongsu's additions (issue 6). New columns are nullable: rows of the original service have
-- none of them (no derivatives, no hash, unknown size).
ALTER TABLE album_image
    ADD COLUMN IF NOT EXISTS thumbnail_key character varying,
    ADD COLUMN IF NOT EXISTS preview_key character varying,
    ADD COLUMN IF NOT EXISTS mime_type character varying,
    ADD COLUMN IF NOT EXISTS size_bytes bigint,
    ADD COLUMN IF NOT EXISTS width integer,
    ADD COLUMN IF NOT EXISTS height integer,
    ADD COLUMN IF NOT EXISTS sha256 character varying,
    ADD COLUMN IF NOT EXISTS "dateTimeOriginalOffset" smallint;
-- The same bytes are stored once (sha256 dedupe).
CREATE UNIQUE INDEX IF NOT EXISTS album_image_sha256_key ON album_image (sha256)
    WHERE sha256 IS NOT NULL;
-- Capture order of the cursor, infinite and ferris queries (weak point 30).
CREATE INDEX IF NOT EXISTS album_image_capture_order_idx
    ON album_image ("dateTimeOriginal" DESC, id DESC);
-- One image per spot (weak point 32). The original could leave two images on a spot; keep the
-- one its gallery showed (images[0]: the newest capture time, then the larger id) and free the
-- others.
UPDATE album_image a
SET "gallerySpotType" = 'none', version = a.version + 1, updated_at = now()
WHERE a."gallerySpotType" <> 'none' AND EXISTS (
    SELECT 1 FROM album_image b
    WHERE b."gallerySpotType" = a."gallerySpotType" AND b.id <> a.id AND (
        (b."dateTimeOriginal" IS NOT NULL AND a."dateTimeOriginal" IS NULL)
        OR b."dateTimeOriginal" > a."dateTimeOriginal"
        OR (b."dateTimeOriginal" IS NOT DISTINCT FROM a."dateTimeOriginal" AND b.id > a.id)));
CREATE UNIQUE INDEX IF NOT EXISTS album_image_gallery_spot_key ON album_image ("gallerySpotType")
    WHERE "gallerySpotType" <> 'none';
-- Upload batches: per-file progress for GET /file/uploads/{batchId}.
CREATE TABLE IF NOT EXISTS upload_batch (
    id uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS upload_file (
    batch_id uuid NOT NULL REFERENCES upload_batch (id) ON DELETE CASCADE,
    file_index integer NOT NULL,
    staging_key character varying NOT NULL,
    filename character varying NOT NULL,
    mime_type character varying NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 character varying NOT NULL,
    last_modified_ms bigint,
    status character varying NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'processing', 'done', 'duplicate', 'failed')),
    image_id uuid,
    reason character varying,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, file_index)
);
