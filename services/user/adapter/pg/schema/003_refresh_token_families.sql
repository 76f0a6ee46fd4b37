-- Refresh tokens in families (issue 5, section 5): a login starts a family, each rotation adds the
-- successor to it, and a replayed token revokes that family only. Every rotation and revocation
-- locks the family's row first, so a successor can never be stored beside a concurrent revocation.
CREATE TABLE IF NOT EXISTS refresh_family (
    id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id uuid NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS refresh_family_user_idx ON refresh_family (user_id);
ALTER TABLE refresh_token ADD COLUMN IF NOT EXISTS family_id uuid
    REFERENCES refresh_family ("id") ON DELETE CASCADE;
-- Tokens issued before this migration: each becomes a family of its own.
INSERT INTO refresh_family (id, user_id, created_at)
    SELECT jti, user_id, created_at FROM refresh_token WHERE family_id IS NULL
    ON CONFLICT (id) DO NOTHING;
UPDATE refresh_token SET family_id = jti WHERE family_id IS NULL;
ALTER TABLE refresh_token ALTER COLUMN family_id SET NOT NULL;
CREATE INDEX IF NOT EXISTS refresh_token_family_idx ON refresh_token (family_id);
