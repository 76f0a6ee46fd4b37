-- OAuth accounts have no password (weak point 2): the original stored the hash of "google".
ALTER TABLE "user" ALTER COLUMN "password" DROP NOT NULL;
UPDATE "user" SET "password" = NULL, "version" = "version" + 1 WHERE "provider" = 'google';
-- E-mails are compared case-insensitively (weak point 7).
CREATE INDEX IF NOT EXISTS "IDX_user_email_lower" ON "user" (lower("email"));
-- Refresh tokens are spent once (rotation, weak point 5).
CREATE TABLE IF NOT EXISTS refresh_token (
    jti uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    spent_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS refresh_token_user_idx ON refresh_token (user_id);
