"""Run the arXiv and Gemini stand-ins with a synthetic 2024-06-20 listing, for trying `make run` offline.

.venv/bin/python -m tests.servers        # prints the settings to export, then serves until Ctrl-C
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import listing_entries  # noqa: E402
from servers.arxiv_server import ArxivServer  # noqa: E402
from servers.gemini_server import GeminiServer  # noqa: E402


def main() -> None:
    with (
        ArxivServer(listing_entries(3, passing_mention=True)) as arxiv,
        GeminiServer(api_key="offline-demo-key") as gemini,
    ):
        print(f"export ARXIV_API_URL={arxiv.api_url} ARXIV_PDF_URL={arxiv.pdf_url}")
        print(f"export GOOGLE_GEMINI_BASE_URL={gemini.base_url} GEMINI_API_KEY=offline-demo-key", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
