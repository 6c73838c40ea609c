"""Image helpers shared by the image checks: metadata reading (EXIF, IPTC,
XMP), logo matching and text reading. Modules here may import OpenCV or
onnxruntime inside their functions; nothing here is imported by
``postcheck --help``."""
