"""Checks that run on text: drafts, and text found in images."""
