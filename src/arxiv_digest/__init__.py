"""arxiv-digest: turn each day's arXiv listing into a reviewed Hexo research digest.

Importing the package is cheap (no Airflow, no network clients); each stage module imports what it needs.
"""

__version__ = "0.1.0"
