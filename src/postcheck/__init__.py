"""postcheck: check a school social media post against the school's policy before it is published."""

import os

# onnxruntime (text in photos, face encodings) writes a device id and queues usage
# events for Microsoft's telemetry service as soon as it is imported, unless this
# is set before the import. Nothing about a check may leave the computer.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
