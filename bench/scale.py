#!/usr/bin/env python3
"""Builds a large corpus for the scale test by recombining the real Reuters articles read from an
unpacked slice at run time: article i takes the title and first half of one article and the
second half of another, a new URL and a date spread over 2000-2024, so no file is a byte-for-byte
copy of another. Files are written in the Reuters layout (YYYYMMDD/slug with a `-- ` header).

    python3 bench/scale.py SOURCE_DIR OUT_DIR N
"""
import datetime
import pathlib
import sys


def load(source):
    articles = []
    for path in sorted(pathlib.Path(source).rglob("*")):
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        header = [l[3:] for l in lines if l.startswith("-- ")]
        body = "\n".join(l for l in lines if not l.startswith("-- ")).strip()
        if header and body:
            articles.append((header[0], header[1] if len(header) > 1 and header[1].startswith("By") else "", body))
    return articles


def main():
    source, out, n = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])
    articles = load(source)
    start = datetime.datetime(2000, 1, 1, 6, 0)
    step = datetime.timedelta(minutes=max(1, (25 * 365 * 24 * 60) // n))
    for i in range(n):
        title, byline, body = articles[i % len(articles)]
        _, _, other = articles[(i * 7919 + 13) % len(articles)]
        half = body[: len(body) // 2]
        rest = other[len(other) // 2:]
        when = start + i * step
        folder = out / when.strftime("%Y%m%d")
        folder.mkdir(parents=True, exist_ok=True)
        slug = f"scale-{i:07d}"
        stamp = when.strftime("%a %b %d, %Y %I:%M%p") + " EST"
        url = f"http://www.reuters.com/article/{when:%Y/%m/%d}/{slug}"
        header = f"-- {title} ({i})\n" + (f"-- {byline}\n" if byline else "") + f"-- {stamp}\n-- {url}\n\n"
        (folder / slug).write_text(header + half + " " + rest + "\n", encoding="utf-8")
    print(f"wrote {n} articles to {out}")


if __name__ == "__main__":
    main()
