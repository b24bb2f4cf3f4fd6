-- Users and friendships. A user shares its id with the auth account it was
-- created for (CreateUser), so creating one twice is a primary-key conflict.
CREATE TABLE users (
  id UUID PRIMARY KEY,
  -- Shown as entered; unique ignoring case (users_nickname_lower_key).
  nickname TEXT NOT NULL,
  about TEXT,
  avatar_url TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT users_nickname_format CHECK (nickname ~ '^[A-Za-z][A-Za-z0-9_.]{2,31}$'),
  CONSTRAINT users_about_length CHECK (char_length(about) <= 500),
  CONSTRAINT users_avatar_url_format
    CHECK (avatar_url LIKE 'https://%' AND char_length(avatar_url) <= 2048)
);

-- The index, not a read-then-write, decides who gets a nickname under races.
-- text_pattern_ops also serves equality lookups whatever the collation.
CREATE UNIQUE INDEX users_nickname_lower_key ON users (lower(nickname) text_pattern_ops);

-- One row per pair of users, whoever asked first: (user_a, user_b) is the
-- ordered pair (least, greatest). No row means no relationship; declining,
-- cancelling and removing delete the row.
CREATE TABLE friendships (
  user_a UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_b UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  requested_by UUID NOT NULL,
  -- The user the request was sent to (derived, for the incoming-requests index).
  requested_of UUID NOT NULL
    GENERATED ALWAYS AS (CASE WHEN requested_by = user_a THEN user_b ELSE user_a END) STORED,
  requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  accepted_at TIMESTAMPTZ,
  PRIMARY KEY (user_a, user_b),
  CONSTRAINT friendships_ordered_pair CHECK (user_a < user_b),
  CONSTRAINT friendships_requester_in_pair CHECK (requested_by IN (user_a, user_b)),
  CONSTRAINT friendships_state CHECK (state IN ('pending', 'accepted')),
  CONSTRAINT friendships_accepted_when_friends
    CHECK ((state = 'accepted') = (accepted_at IS NOT NULL))
);

-- Friends lists (newest friendship first), from either side of the pair.
CREATE INDEX friendships_friends_a_idx ON friendships (user_a, accepted_at DESC, user_b DESC)
  WHERE state = 'accepted';
CREATE INDEX friendships_friends_b_idx ON friendships (user_b, accepted_at DESC, user_a DESC)
  WHERE state = 'accepted';
-- Outgoing requests (and the pending-request cap), incoming requests.
CREATE INDEX friendships_outgoing_idx ON friendships (requested_by, requested_at DESC, requested_of DESC)
  WHERE state = 'pending';
CREATE INDEX friendships_incoming_idx ON friendships (requested_of, requested_at DESC, requested_by DESC)
  WHERE state = 'pending';
