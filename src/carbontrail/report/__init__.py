"""Pure renderers over run records: facts, equivalents, text/Markdown/LaTeX/HTML/JSON reports,
comparisons, plots, badges and Hugging Face model-card metadata.

Nothing here prints, exits or reads settings; the ``carbontrail`` commands do.
Submodules are imported on use (matplotlib only by :mod:`carbontrail.report.plots`).
"""
