"""Checks that run on images."""
