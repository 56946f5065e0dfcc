"""A self-hosted task manager for the browser."""
