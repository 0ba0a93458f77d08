"""Ideas, votes, pilots, agreements, feedback instruments and responses (see issue 3)."""
