"""Face detection, encoding, the private encoding cache and matching.

* :mod:`postcheck.faces.detector` — CenterFace (OpenCV DNN), dlib HOG or CNN;
* :mod:`postcheck.faces.dlib_model` — face_recognition's model files and dlib,
  called the way face_recognition 1.3.0 calls them (HOG and CNN detectors, 5-point
  landmarks, dlib's own 128-d descriptor);
* :mod:`postcheck.faces.encodings` — face_recognition's 128-d encodings and the
  reference-photo quality gate;
* :mod:`postcheck.faces.resnet` — those encodings: dlib's landmarks and face chips,
  then dlib's ResNet on onnxruntime (converted by :mod:`postcheck.faces.convert_dlib`
  from the file :mod:`postcheck.faces.dlib_dnn` reads, and cached);
* :mod:`postcheck.faces.cache` — enrolment and the 0600 cache of encodings;
* :mod:`postcheck.faces.matching` — vectorised matching with a review band.

Nothing here is imported by ``postcheck --help``; heavy libraries are imported
inside functions.
"""
