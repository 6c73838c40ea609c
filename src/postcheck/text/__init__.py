"""The text-analysis layer below the text rules.

:func:`postcheck.text.analysis.analyse` builds, once per text, a frozen
:class:`~postcheck.text.analysis.TextAnalysis` that every text rule reads: the
clean view with its map back to the user's characters, the one tokenizer's
tokens, sentences, the people named, the Trust community and contact details.
Nothing here imports spaCy at module level: ``postcheck --help`` stays fast.
"""
