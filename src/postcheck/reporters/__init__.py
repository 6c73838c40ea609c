"""Reporters: terminal, JSON, SARIF and HTML."""
