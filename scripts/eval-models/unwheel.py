"""Copies one member of a wheel (a zip file) out of it without unpacking the rest.

Usage: python unwheel.py WHEEL MEMBER DEST [--append]
A MEMBER ending in '/' is a folder: everything under it is written below the folder DEST.
Otherwise the member is streamed to the file DEST (appended with --append).
"""

import shutil
import sys
import zipfile
from pathlib import Path


def main(wheel: str, member: str, dest: str, append: bool) -> None:
    with zipfile.ZipFile(wheel) as archive:
        if member.endswith("/"):
            names = [n for n in archive.namelist() if n.startswith(member) and not n.endswith("/")]
            if not names:
                sys.exit(f"{wheel} has no folder {member}")
            for name in names:
                target = Path(dest) / name[len(member):]
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(name) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            return
        try:
            src = archive.open(member)
        except KeyError:
            sys.exit(f"{wheel} has no file {member}")
        with src, open(dest, "ab" if append else "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--append"]
    if len(args) != 3:
        sys.exit(__doc__)
    main(args[0], args[1], args[2], "--append" in sys.argv)
