"""Discussions: threads and posts inside a community, with mentions, follows and moderation."""
