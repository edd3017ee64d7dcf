"""Regenerates ``chalicelib/data/common-passwords.txt.gz``: the common-password list that Django
ships (20,000 passwords from Royce Williams' public list, lowercased and deduplicated; BSD-3 licence),
taken from its wheel on PyPI with pip (no other download).

``python tools/common_passwords.py [DJANGO_VERSION]``
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "chalicelib" / "data" / "common-passwords.txt.gz"
MEMBER = "django/contrib/auth/common-passwords.txt.gz"


def main(argv: list[str]) -> int:
    version = argv[0] if argv else "5.2.19"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary",
                ":all:",
                f"Django=={version}",
                "-d",
                tmp,
            ],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            TARGET.write_bytes(archive.read(MEMBER))
    print(f"wrote {TARGET} from Django {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
