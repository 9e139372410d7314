"""Refresh the screenshots of the static site that docs/publishing.md shows.

    python scripts/screenshots.py [--out docs/images]

Builds the site of the demo workspace (a copy of examples/demo/, made up, with statuses, responses and a
plan of actions; ``--workspace`` names another) in a temporary folder, serves it on
loopback with ``python -m http.server``, and takes the home page in headless Chromium at a desktop's width
(1400 px) and a phone's (390 px), with the same helpers as the browser tests (tests/browser.py): Debian's
chromium and chromedriver, nothing downloaded. Writes ``site-home-1400.png`` and ``site-home-390.png``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import browser as web  # noqa: E402 - the browser tests' helpers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    parser.add_argument("--workspace", type=Path, default=REPO / "examples" / "demo")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="diasporatrack-screenshots-") as folder:
        tmp = Path(folder)
        shutil.copytree(args.workspace, tmp / "ws")
        subprocess.run([sys.executable, "-m", "diasporatrack", "--root", str(tmp / "ws"), "export", "site",
                        "-o", str(tmp / "public")], check=True)
        server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                                   "--directory", str(tmp / "public")], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        driver = None
        try:
            port = re.search(r"port (\d+)", server.stdout.readline())
            if port is None:
                raise SystemExit("the local web server did not start")
            driver = web.driver(tmp)
            driver.get(f"http://127.0.0.1:{port.group(1)}/index.html")
            args.out.mkdir(parents=True, exist_ok=True)
            for width in (1400, 390):
                path = args.out / f"site-home-{width}.png"
                path.write_bytes(web.window_png(driver, width))
                print(f"wrote {path}")
        finally:
            if driver is not None:
                driver.quit()
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
