#!/usr/bin/env python3
"""Runs a command and prints the peak anonymous and file-backed resident memory (KiB) of its
largest descendant, sampled from /proc every 0.1 s: "peak_anon_kb peak_file_kb". Maximum RSS
as /usr/bin/time reports it counts both: the pages a process allocated (anonymous) and the
pages of memory-mapped files it has read (file-backed, which the kernel can drop at any time),
and tantivy reads index segments through mmap.

    bench/peak_anon.py OUT_FILE COMMAND...
"""
import os
import subprocess
import sys
import time


def descendants(pid):
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        found.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                frontier.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return found


def rss(pid):
    anon = file = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    anon = int(line.split()[1])
                elif line.startswith("RssFile:"):
                    file = int(line.split()[1])
    except OSError:
        pass
    return anon, file


def main():
    out, command = sys.argv[1], sys.argv[2:]
    child = subprocess.Popen(command)
    peak_anon = peak_file = 0
    while child.poll() is None:
        for pid in descendants(child.pid):
            anon, file = rss(pid)
            peak_anon, peak_file = max(peak_anon, anon), max(peak_file, file)
        time.sleep(0.1)
    with open(out, "w") as f:
        f.write(f"{peak_anon} {peak_file}\n")
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
