-- The original's table, exactly (spec/api.md 3.2, as TypeORM 0.3.20 creates it), created only when
-- absent so an existing database of the original is taken over as it is.
DO $$ BEGIN
    CREATE TYPE album_image_galleryspottype_enum AS ENUM (
        'none', 'spot1', 'spot2', 'spot3', 'spot4', 'spot5', 'spot6', 'spot7', 'spot8', 'spot9',
        'spot10');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE TABLE IF NOT EXISTS album_image (
    "id" uuid NOT NULL,
    "filename" character varying NOT NULL,
    "objectKey" character varying NOT NULL,
    "dateTime" TIMESTAMP,
    "dateTimeOriginal" TIMESTAMP,
    "dateTimeDigitized" TIMESTAMP,
    "gallerySpotType" album_image_galleryspottype_enum NOT NULL DEFAULT 'none',
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    "version" integer NOT NULL,
    CONSTRAINT "PK_c8ae8a5ea47893a7e819c567977" PRIMARY KEY ("id")
);
