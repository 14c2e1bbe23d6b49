"""Pictures people upload (runners' avatars, clubs' images): checked, cleaned, stored."""
