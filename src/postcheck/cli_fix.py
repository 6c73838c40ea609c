"""``postcheck fix``: safe copies of what can be made safe."""

from __future__ import annotations
