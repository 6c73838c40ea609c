"""postcheck: check a school social media post against the school's policy before it is published."""

__version__ = "0.1.0"
